package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"loralab/experiments"
)

// shardCover runs the sharding of package experiments for every worker of a job, given each
// worker's environment and the count from its command line, and checks that the workers
// together take every run of the sweep exactly once.
func shardCover(t *testing.T, sweepPath string, envs []map[string]string, count int) {
	t.Helper()
	sw, err := loadSweep(sweepPath, "")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	taken := map[string]int{}
	for i, env := range envs {
		sh, ok, err := experiments.ShardFromEnv(func(k string) string { return env[k] }, count)
		if err != nil || !ok {
			t.Fatalf("worker %d (%v): shard %v, %v, %v", i, env, sh, ok, err)
		}
		if sh.Index != i || sh.Count != len(envs) {
			t.Errorf("worker %d gets shard %v, want %d/%d", i, sh, i, len(envs))
		}
		for _, r := range sh.Select(runs) {
			taken[r.ID]++
		}
	}
	for _, r := range runs {
		if taken[r.ID] != 1 {
			t.Errorf("run %s %s taken by %d workers, want 1", r.ID, r.Label(), taken[r.ID])
		}
	}
}

// fourRunSweep writes a sweep of four runs (two methods, two seeds).
func fourRunSweep(t *testing.T) string {
	text := strings.Replace(strings.Replace(failingSweep, "%s", "1e-3", 1), "seeds: [1]", "seeds: [1, 2]", 1)
	text = strings.Replace(text, "name: failing", "name: my_sweep.v2", 1)
	path := filepath.Join(t.TempDir(), "four.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSlurmScript writes the sbatch script for 3 array tasks and checks the array indices it
// sets, the shard count its runexp line passes, and that Slurm's environment for each index
// gives the shards that cover the sweep; bash accepts the script's syntax.
func TestSlurmScript(t *testing.T) {
	sweep := fourRunSweep(t)
	out, _, err := runCLI(t, "slurm", sweep, "--array", "3", "--partition", "cpu", "--out", "/shared/res ults")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^#SBATCH --array=(\d+)-(\d+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no #SBATCH --array line:\n%s", out)
	}
	lo, _ := strconv.Atoi(m[1])
	hi, _ := strconv.Atoi(m[2])
	if lo != 0 || hi != 2 {
		t.Errorf("array %d-%d, want 0-2", lo, hi)
	}
	cmd := regexp.MustCompile(`(?m)^exec runexp --shards (\d+) .* --out '/shared/res ults' (\S+)$`).FindStringSubmatch(out)
	if cmd == nil {
		t.Fatalf("no runexp line with --shards and the quoted --out:\n%s", out)
	}
	count, _ := strconv.Atoi(cmd[1])
	if cmd[2] != sweep {
		t.Errorf("the script runs %s, want %s", cmd[2], sweep)
	}
	for _, want := range []string{"#SBATCH --partition=cpu", "#SBATCH --cpus-per-task=2", "sweep my_sweep.v2: 4 runs in 3 shards"} {
		if !strings.Contains(out, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	var envs []map[string]string
	for id := lo; id <= hi; id++ {
		envs = append(envs, map[string]string{experiments.EnvSlurmTaskID: strconv.Itoa(id),
			experiments.EnvSlurmTaskMin: strconv.Itoa(lo), experiments.EnvSlurmTaskCount: strconv.Itoa(hi - lo + 1)})
	}
	shardCover(t, sweep, envs, count)
	if bash, err := exec.LookPath("bash"); err == nil {
		script := filepath.Join(t.TempDir(), "job.sbatch")
		os.WriteFile(script, []byte(out), 0o644)
		if msg, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v: %s", err, msg)
		}
	}
}

// TestK8sManifest writes the Indexed Job for 4 completions and checks, from the parsed
// manifest, the completion mode and count, the shard count it sets, the sweep file the
// ConfigMap ships, and that each completion index's environment gives the shards that cover
// the sweep.
func TestK8sManifest(t *testing.T) {
	sweep := fourRunSweep(t)
	out, _, err := runCLI(t, "k8s", "--completions", "4", sweep, "--image", "reg/loralab:1")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(out))
	var cm struct {
		Kind     string
		Metadata struct{ Name string }
		Data     map[string]string
	}
	var job struct {
		Kind     string
		Metadata struct{ Name string }
		Spec     struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int
			Parallelism    int
			Template       struct {
				Spec struct {
					Containers []struct {
						Image   string
						Command []string
						Env     []struct{ Name, Value string }
					}
					Volumes []struct {
						ConfigMap struct{ Name string } `yaml:"configMap"`
					}
				}
			}
		}
	}
	if err := dec.Decode(&cm); err != nil {
		t.Fatalf("ConfigMap: %v\n%s", err, out)
	}
	if err := dec.Decode(&job); err != nil {
		t.Fatalf("Job: %v\n%s", err, out)
	}
	source, _ := os.ReadFile(sweep)
	if cm.Kind != "ConfigMap" || cm.Data[experiments.SweepFile] != string(source) {
		t.Errorf("the ConfigMap does not ship the sweep file: %+v", cm)
	}
	if job.Kind != "Job" || job.Spec.CompletionMode != "Indexed" || job.Spec.Completions != 4 || job.Spec.Parallelism != 4 {
		t.Errorf("job spec %+v, want an Indexed Job of 4 completions", job.Spec)
	}
	if job.Metadata.Name != "loralab-my-sweep-v2" || job.Spec.Template.Spec.Volumes[0].ConfigMap.Name != cm.Metadata.Name {
		t.Errorf("names: job %q, config map %q mounted as %q", job.Metadata.Name, cm.Metadata.Name, job.Spec.Template.Spec.Volumes[0].ConfigMap.Name)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if c.Image != "reg/loralab:1" || !strings.HasSuffix(strings.Join(c.Command, " "), "--out /results /sweep/sweep.yaml") {
		t.Errorf("container %+v", c)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	var envs []map[string]string
	for i := range job.Spec.Completions {
		// The Job controller sets JOB_COMPLETION_INDEX in each pod.
		envs = append(envs, map[string]string{experiments.EnvJobIndex: strconv.Itoa(i), experiments.EnvShardCount: env[experiments.EnvShardCount]})
	}
	shardCover(t, sweep, envs, 0)
}

// TestClusterErrors feeds the two commands bad counts.
func TestClusterErrors(t *testing.T) {
	sweep := fourRunSweep(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"slurm", sweep}, "slurm: --array: want a shard count of at least 1, got 0"},
		{[]string{"slurm", "--array", "5", sweep}, "5 shards for the 4 runs of sweep my_sweep.v2: want at most 4"},
		{[]string{"slurm", "--array", "2"}, "slurm: want one sweep file, got 0 arguments"},
		{[]string{"k8s", "--completions", "-1", sweep}, "k8s: --completions: want a shard count of at least 1, got -1"},
		{[]string{"k8s", "--completions", "2", "--out", "results", sweep}, `k8s: --out "results": want an absolute path`},
		{[]string{"k8s", "--completions", "2", "--cpus", "0", sweep}, "--cpus 0: want at least 1"},
	}
	for _, c := range cases {
		_, _, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}
