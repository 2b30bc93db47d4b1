package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"

	"loralab/experiments"
)

// clusterJob is what the Slurm script and the Kubernetes manifest are written from: one
// sweep split into Shards workers by the sharding of package experiments (the runs whose
// index is i modulo Shards go to worker i).
type clusterJob struct {
	Name    string // the sweep's name
	Sweep   string // the sweep file, as the job reads it
	Source  string // the sweep file's text (the manifest ships it in a ConfigMap)
	Runs    int
	Shards  int
	Out     string
	CPUs    int
	Mem     string
	Time    string
	Runexp  string // the runexp binary
	Command string // the command that wrote the job, quoted in it

	Partition, Dir string // Slurm
	Image, Claim   string // Kubernetes
	SweepData      string // Kubernetes: the ConfigMap's data, as YAML
}

// clusterFlags are the flags the two commands share.
type clusterFlags struct {
	out, mem, runexp *string
	cpus             *int
}

// addClusterFlags defines the shared flags on fs.
func addClusterFlags(fs *flag.FlagSet, outDefault string) clusterFlags {
	return clusterFlags{
		out:    fs.String("out", outDefault, "results root every worker writes into (shared by all of them)"),
		mem:    fs.String("mem", "8G", "memory of one worker"),
		runexp: fs.String("runexp", "runexp", "the runexp binary, as the workers find it"),
		cpus:   fs.Int("cpus", 2, "CPUs of one worker (its --threads)"),
	}
}

// newClusterJob loads the sweep and checks the shard count against its runs.
func newClusterJob(path string, shards int, f clusterFlags, command string) (*clusterJob, error) {
	if shards < 1 {
		return nil, fmt.Errorf("want a shard count of at least 1, got %d", shards)
	}
	if *f.cpus < 1 {
		return nil, fmt.Errorf("--cpus %d: want at least 1", *f.cpus)
	}
	sw, err := loadSweep(path, "")
	if err != nil {
		return nil, err
	}
	runs, err := sw.Expand()
	if err != nil {
		return nil, err
	}
	if shards > len(runs) {
		return nil, fmt.Errorf("%d shards for the %d runs of sweep %s: want at most %d (one run each)", shards, len(runs), sw.Name, len(runs))
	}
	return &clusterJob{Name: sw.Name, Sweep: path, Source: string(sw.Source), Runs: len(runs), Shards: shards,
		Out: *f.out, CPUs: *f.cpus, Mem: *f.mem, Runexp: *f.runexp, Command: command}, nil
}

// runSlurm prints an sbatch script that runs a sweep as a Slurm job array, one shard per task.
func runSlurm(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("slurm", "runexp slurm --array N [flags] SWEEP.yaml > sweep.sbatch", stderr)
	array := fs.Int("array", 0, "array tasks: the sweep's runs are split into this many shards")
	part := fs.String("partition", "", "Slurm partition (default: the cluster's)")
	limit := fs.String("time", "24:00:00", "time limit of one task")
	cf := addClusterFlags(fs, "results")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("slurm: want one sweep file, got %d arguments", len(pos))
	}
	job, err := newClusterJob(pos[0], *array, cf, "runexp slurm "+strings.Join(args, " "))
	if err != nil {
		return fmt.Errorf("slurm: --array: %w", err)
	}
	job.Partition, job.Time = *part, *limit
	if job.Dir, err = os.Getwd(); err != nil {
		return err
	}
	return slurmScript.Execute(stdout, job)
}

// runK8s prints a Kubernetes Indexed Job (with a ConfigMap holding the sweep file) that runs a
// sweep with one shard per completion index.
func runK8s(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("k8s", "runexp k8s --completions N [flags] SWEEP.yaml | kubectl apply -f -", stderr)
	completions := fs.Int("completions", 0, "completion indices: the sweep's runs are split into this many shards")
	image := fs.String("image", "loralab:latest", "container image holding the runexp binary")
	claim := fs.String("claim", "loralab-results", "PersistentVolumeClaim shared by the workers, mounted at --out")
	cf := addClusterFlags(fs, "/results")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("k8s: want one sweep file, got %d arguments", len(pos))
	}
	job, err := newClusterJob(pos[0], *completions, cf, "runexp k8s "+strings.Join(args, " "))
	if err != nil {
		return fmt.Errorf("k8s: --completions: %w", err)
	}
	if !filepath.IsAbs(job.Out) {
		return fmt.Errorf("k8s: --out %q: want an absolute path inside the container", job.Out)
	}
	job.Image, job.Claim = *image, *claim
	data, err := yaml.Marshal(map[string]string{experiments.SweepFile: job.Source})
	if err != nil {
		return err
	}
	job.SweepData = indent(string(data), "  ")
	job.Sweep = "/sweep/" + experiments.SweepFile
	return k8sManifest.Execute(stdout, job)
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// yamlQuote writes s as a double-quoted YAML string.
func yamlQuote(s string) string {
	out, _ := yaml.Marshal(s)
	v := strings.TrimSpace(string(out))
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `'`) {
		return v
	}
	return `"` + v + `"`
}

// k8sName turns a sweep name into a Kubernetes object name (lower-case letters, digits and
// '-'): "table6_rank" gives "loralab-table6-rank".
func k8sName(sweep, suffix string) string {
	var b strings.Builder
	for _, r := range strings.ToLower("loralab-" + sweep + suffix) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

var clusterFuncs = template.FuncMap{"sh": shellQuote, "q": yamlQuote, "k8sName": k8sName, "last": func(n int) int { return n - 1 }}

var slurmScript = template.Must(template.New("slurm").Funcs(clusterFuncs).Parse(`#!/bin/bash
# Slurm job array for sweep {{.Name}}: {{.Runs}} runs in {{.Shards}} shards; array task i runs the runs
# whose index is i modulo {{.Shards}} (runexp reads SLURM_ARRAY_TASK_ID). Written by:
#   {{.Command}}
# Submit with sbatch; every task writes only its own run folders under {{.Out}}/{{.Name}}/, which
# must be on a file system all nodes share. A task exits 2 when some of its runs failed (Slurm
# marks it FAILED); "runexp status {{.Out}}/{{.Name}}" says why, and submitting again finishes
# what is missing. When all tasks have ended, "runexp report {{.Out}}/{{.Name}}" writes the whole
# report (each task writes one from what is done when it ends).
#SBATCH --job-name={{printf "loralab-%s" .Name | sh}}
#SBATCH --array=0-{{last .Shards}}
#SBATCH --cpus-per-task={{.CPUs}}
#SBATCH --mem={{.Mem}}
#SBATCH --time={{.Time}}
{{- if .Partition}}
#SBATCH --partition={{.Partition}}
{{- end}}
#SBATCH --chdir={{sh .Dir}}
#SBATCH --output={{printf "loralab-%s-%%A_%%a.log" .Name | sh}}
set -euo pipefail
exec {{sh .Runexp}} --shards {{.Shards}} --threads "${SLURM_CPUS_PER_TASK:-{{.CPUs}}}" --out {{sh .Out}} {{sh .Sweep}}
`))

var k8sManifest = template.Must(template.New("k8s").Funcs(clusterFuncs).Parse(`# Kubernetes Indexed Job for sweep {{.Name}}: {{.Runs}} runs in {{.Shards}} shards; the pod of
# completion index i runs the runs whose index is i modulo {{.Shards}} (runexp reads
# JOB_COMPLETION_INDEX and LORALAB_SHARD_COUNT). Written by:
#   {{.Command}}
# Apply with kubectl apply -f. The workers share the PersistentVolumeClaim {{.Claim}} (ReadWriteMany)
# at {{.Out}}. A pod exits 2 when some of its runs failed and 1 on an error: its index is not
# retried. "runexp report {{.Out}}/{{.Name}}" writes the whole report when all indices are done.
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{k8sName .Name "-sweep"}}
data:
{{.SweepData}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{k8sName .Name ""}}
spec:
  completionMode: Indexed
  completions: {{.Shards}}
  parallelism: {{.Shards}}
  backoffLimitPerIndex: 1
  podFailurePolicy:
    rules:
      - action: FailIndex
        onExitCodes: {containerName: runexp, operator: In, values: [1, 2]}
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: runexp
          image: {{q .Image}}
          command: [{{q .Runexp}}, "--threads", "{{.CPUs}}", "--out", {{q .Out}}, {{q .Sweep}}]
          env:
            - {name: LORALAB_SHARD_COUNT, value: "{{.Shards}}"}
          resources:
            requests: {cpu: "{{.CPUs}}", memory: {{q .Mem}}}
          volumeMounts:
            - {name: sweep, mountPath: /sweep, readOnly: true}
            - {name: results, mountPath: {{q .Out}}}
      volumes:
        - name: sweep
          configMap: {name: {{k8sName .Name "-sweep"}}}
        - name: results
          persistentVolumeClaim: {claimName: {{q .Claim}}}
`))
