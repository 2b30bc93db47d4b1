package experiments

import "testing"

func TestParseShard(t *testing.T) {
	tests := []struct {
		in      string
		want    Shard
		wantErr string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"2/4", Shard{2, 4}, ""},
		{" 1 / 3 ", Shard{1, 3}, ""},
		{"4/4", Shard{}, `shard "4/4": index 4 and count 4, want 0 <= index < count`},
		{"-1/4", Shard{}, `shard "-1/4": index -1 and count 4, want 0 <= index < count`},
		{"1/0", Shard{}, `shard "1/0": index 1 and count 0, want 0 <= index < count`},
		{"1", Shard{}, `shard "1": want i/N, such as 0/4`},
		{"a/b", Shard{}, `shard "a/b": want i/N, such as 0/4`},
		{"", Shard{}, `shard "": want i/N, such as 0/4`},
	}
	for _, tt := range tests {
		got, err := ParseShard(tt.in)
		switch {
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("ParseShard(%q) error %v, want %s", tt.in, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParseShard(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestShardFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		count   int
		want    Shard
		wantOK  bool
		wantErr string
	}{
		{"nothing set", nil, 0, Shard{}, false, ""},
		{"slurm", map[string]string{EnvSlurmTaskID: "3", EnvSlurmTaskCount: "4"}, 0, Shard{3, 4}, true, ""},
		{"slurm array from 1", map[string]string{EnvSlurmTaskID: "4", EnvSlurmTaskMin: "1", EnvSlurmTaskCount: "4"}, 0, Shard{3, 4}, true, ""},
		{"slurm count given", map[string]string{EnvSlurmTaskID: "1"}, 2, Shard{1, 2}, true, ""},
		{"slurm without count", map[string]string{EnvSlurmTaskID: "1"}, 0, Shard{}, true, `SLURM_ARRAY_TASK_COUNT="": want an integer`},
		{"slurm id beyond count", map[string]string{EnvSlurmTaskID: "5", EnvSlurmTaskCount: "4"}, 0, Shard{}, true, "Slurm array task: index 5 and count 4, want 0 <= index < count"},
		{"kubernetes", map[string]string{EnvJobIndex: "2", EnvShardCount: "5"}, 0, Shard{2, 5}, true, ""},
		{"kubernetes count given", map[string]string{EnvJobIndex: "0"}, 3, Shard{0, 3}, true, ""},
		{"kubernetes without count", map[string]string{EnvJobIndex: "0"}, 0, Shard{}, true, "JOB_COMPLETION_INDEX is set but the shard count is not: set LORALAB_SHARD_COUNT or give the count"},
		{"kubernetes bad index", map[string]string{EnvJobIndex: "x", EnvShardCount: "2"}, 0, Shard{}, true, `JOB_COMPLETION_INDEX="x": want an integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := ShardFromEnv(func(k string) string { return tt.env[k] }, tt.count)
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			switch {
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("error %v, want %s", err, tt.wantErr)
			case tt.wantErr == "" && (err != nil || got != tt.want):
				t.Errorf("got %v, %v, want %v", got, err, tt.want)
			}
		})
	}
}
