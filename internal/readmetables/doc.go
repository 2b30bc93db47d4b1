// Package readmetables keeps the repository README's results tables generated. It has no
// code of its own, only a test: every results table of the README is a copy of a table file
// that `runexp report` wrote into a reference folder (results/reference/<study>/), between
// two markers,
//
//	<!-- table: results/reference/quick/tables/main.md -->
//	...the file's content...
//	<!-- end table -->
//
// TestReadmeTables fails when a copy differs from its file or when a results section of the
// README has a table outside such a block (a table typed by hand); TestReferenceReadmeTables
// checks the copies that the reference folders' READMEs hold the same way; and
//
//	go test ./internal/readmetables -update
//
// rewrites every copy from its file, after a reference folder is regenerated.
package readmetables
