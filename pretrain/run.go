package pretrain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"loralab/datasets"
	"loralab/internal/atomicfile"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/model/tokenizer"
)

// Files and folders of the output.
const (
	StatsFile      = "stats.json"
	CurveFile      = "curve.csv"
	CurveFigure    = "curve" // .png and .svg
	CheckpointsDir = "checkpoints"
	resumeDir      = "resume"
	stateFile      = "state.safetensors"
)

// Options are how Run runs, beside the recipe.
type Options struct {
	// CacheDir holds the fetched data and the trained tokenizers; "" means the datasets
	// package's default.
	CacheDir string
	// Progress receives the progress display; nil shows nothing.
	Progress io.Writer
	// AfterStep, if set, is called after every step; an error it returns stops the run at
	// once without saving anything, as a kill would. Tests simulate kills with it.
	AfterStep func(step int) error
}

// Stats is what stats.json records of a finished run, for its provenance.
type Stats struct {
	Recipe       string                `json:"recipe"`
	RecipeSHA256 string                `json:"recipe_sha256"`
	Config       model.PretrainConfig  `json:"config"`
	Preset       string                `json:"preset,omitempty"`
	DataSeed     uint64                `json:"data_seed"`
	Params       int                   `json:"params"`
	Steps        int                   `json:"steps"`
	TokensSeen   int64                 `json:"tokens_seen"`
	WallSeconds  float64               `json:"wall_seconds"`
	TokensPerSec float64               `json:"tokens_per_second"`
	Sessions     []Session             `json:"sessions"`
	HeldOut      model.HeldOutEval     `json:"held_out"`
	Data         model.PretrainDataset `json:"data"`
	Tokenizer    TokenizerInfo         `json:"tokenizer"`
	Kept         []Kept                `json:"kept,omitempty"`
	WeightsDType string                `json:"weights_dtype"`
}

// Session is one process's share of a run: a run interrupted and resumed has several.
type Session struct {
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	FromStep  int       `json:"from_step"`
	ToStep    int       `json:"to_step"`
	Threads   int       `json:"threads"`
	LoadAvg   []float64 `json:"load_average_samples"` // 1-minute load average at each evaluation
	Seconds   float64   `json:"seconds"`
	TokensSec float64   `json:"tokens_per_second"`
	// CPUSeconds is the process's CPU time in the session, pauses excluded (-1: unknown);
	// tokens per CPU-second over threads is the throughput a quiet machine would give.
	CPUSeconds float64 `json:"cpu_seconds"`
	cpuStart   float64
}

// TokenizerInfo identifies the tokenizer.
type TokenizerInfo struct {
	Vocab  int    `json:"vocab"`
	SHA256 string `json:"sha256"` // of its tokenizer.json
}

// Kept is one intermediate model folder.
type Kept struct {
	Fraction float64           `json:"fraction"`
	Step     int               `json:"step"`
	Tokens   int64             `json:"tokens"`
	Dir      string            `json:"dir"` // relative to the output folder
	HeldOut  model.HeldOutEval `json:"held_out"`
}

// progressState is what the resume state carries besides the training state.
type progressState struct {
	Curve    []CurvePoint `json:"curve"`
	Sessions []Session    `json:"sessions"`
	Kept     []Kept       `json:"kept"`
	Pending  lossSum      `json:"pending"` // training losses since the last curve point
}

// lossSum accumulates training losses between curve points.
type lossSum struct {
	Sum float64 `json:"sum"`
	N   int     `json:"n"`
}

// Run trains the recipe to r.Out, resuming from r.Out/resume if an earlier run of the same
// recipe left a state there. A folder finished by the same recipe (stats.json present) is
// left as it is and its stats returned; one finished by another recipe is an error.
// Cancelling ctx saves the state and returns an error saying so.
func Run(ctx context.Context, r Recipe, o Options) (*Stats, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	st, err := readStats(r.Out)
	if err != nil {
		return nil, err
	}
	if st != nil {
		want := pretrainConfig(r)
		want.Threads = st.Config.Threads // not recorded: it changes no result
		if st.Config != want {
			return nil, fmt.Errorf("pretrain: %s holds a finished run of another recipe (%+v): remove it or choose another out", r.Out, st.Config)
		}
		return st, nil
	}
	docs, err := CorpusDocs(ctx, o.CacheDir, r.DataSeed, r.Corpus)
	if err != nil {
		return nil, err
	}
	tok, err := CorpusTokenizer(docs, r.Corpus, r.Model.Vocab, cacheOrDefault(o.CacheDir))
	if err != nil {
		return nil, err
	}
	pt, err := model.NewPretrainer(pretrainConfig(r), docs, tok)
	if err != nil {
		return nil, err
	}
	run := &runner{r: r, o: o, pt: pt, tok: tok, tokensPerStep: int64(r.Batch) * int64(r.SeqLen)}
	if err := run.resume(); err != nil {
		return nil, err
	}
	return run.loop(ctx)
}

// runner is one session of a run.
type runner struct {
	r             Recipe
	o             Options
	pt            *model.Pretrainer
	tok           *tokenizer.Tokenizer
	tokensPerStep int64
	prog          progressState
	session       Session
	display       *display
}

func (run *runner) statePath() string { return filepath.Join(run.r.Out, resumeDir, stateFile) }

// resume loads the saved state if there is one and opens this session.
func (run *runner) resume() error {
	if err := os.MkdirAll(filepath.Join(run.r.Out, resumeDir), 0o755); err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	if _, err := os.Stat(run.statePath()); err == nil {
		extra, err := run.pt.LoadState(run.statePath())
		if err != nil {
			return fmt.Errorf("%w\n(the folder %s holds a run of another recipe: remove it or choose another out)", err, run.r.Out)
		}
		if err := json.Unmarshal(extra, &run.prog); err != nil {
			return fmt.Errorf("pretrain: resume %s: %w", run.statePath(), err)
		}
		if run.o.Progress != nil {
			fmt.Fprintf(run.o.Progress, "pretrain: resuming at step %d of %d from %s\n", run.pt.Done(), run.r.Steps, run.statePath())
		}
	}
	run.session = Session{Start: time.Now().UTC(), FromStep: run.pt.Done(), Threads: run.r.Threads, cpuStart: cpuSeconds()}
	return nil
}

// loop trains to the last step, evaluating, keeping and checkpointing on the way, then
// writes the output folder.
func (run *runner) loop(ctx context.Context) (*Stats, error) {
	r := run.r
	keep := r.KeepSteps()
	run.display = newDisplay(run.o.Progress, r.Steps, run.pt.Done(), run.tokensPerStep)
	defer run.display.close()
	if run.pt.Done() == 0 && len(run.prog.Curve) == 0 {
		if err := run.observe(0); err != nil {
			return nil, err
		}
	}
	lastSave := time.Now()
	for run.pt.Done() < r.Steps {
		if f, ok := keep[run.pt.Done()]; ok && !run.kept(run.pt.Done()) {
			if err := run.keep(f); err != nil {
				return nil, err
			}
		}
		if ctx.Err() != nil {
			if err := run.save(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("pretrain: interrupted at step %d of %d; the state is saved in %s: run the same command to resume: %w",
				run.pt.Done(), r.Steps, run.statePath(), ctx.Err())
		}
		loss, err := run.pt.Step()
		if err != nil {
			return nil, err
		}
		step := run.pt.Done()
		run.prog.Pending.Sum += loss
		run.prog.Pending.N++
		run.display.step(step, loss)
		if run.o.AfterStep != nil {
			if err := run.o.AfterStep(step); err != nil {
				return nil, err
			}
		}
		if step%r.EvalEvery == 0 || step == r.Steps {
			if err := run.observe(step); err != nil {
				return nil, err
			}
		}
		if time.Since(lastSave) >= r.CheckpointEvery && step < r.Steps {
			if err := run.save(); err != nil {
				return nil, err
			}
			lastSave = time.Now()
		}
	}
	return run.finish()
}

// observe evaluates the model, appends a curve point, and rewrites the curve files.
func (run *runner) observe(step int) error {
	e := run.pt.Evaluate()
	p := CurvePoint{Step: step, Tokens: int64(step) * run.tokensPerStep, HeldOutNLL: e.NLL, Perplexity: e.Perplexity,
		Accuracy: e.Accuracy, UnigramPPL: e.UnigramPPL, Elapsed: run.elapsed(), LoadAvg: loadAverage()}
	if run.prog.Pending.N > 0 {
		p.TrainLoss = run.prog.Pending.Sum / float64(run.prog.Pending.N)
	}
	run.prog.Pending = lossSum{}
	run.prog.Curve = append(run.prog.Curve, p)
	run.session.LoadAvg = append(run.session.LoadAvg, p.LoadAvg)
	run.display.eval(p)
	return writeCurve(run.r.Out, run.prog.Curve, run.r.Model.Arch)
}

// elapsed is the wall time of the earlier sessions and of this one so far, in seconds.
func (run *runner) elapsed() float64 {
	s := time.Since(run.session.Start).Seconds()
	for _, old := range run.prog.Sessions {
		s += old.Seconds
	}
	return s
}

// kept reports whether the model at step is already kept.
func (run *runner) kept(step int) bool {
	for _, k := range run.prog.Kept {
		if k.Step == step {
			return true
		}
	}
	return false
}

// keep writes the current model as a model folder under checkpoints/.
func (run *runner) keep(f float64) error {
	step := run.pt.Done()
	rel := filepath.Join(CheckpointsDir, fmt.Sprintf("step-%06d", step))
	k := Kept{Fraction: f, Step: step, Tokens: int64(step) * run.tokensPerStep, Dir: rel, HeldOut: run.pt.Evaluate()}
	dir := filepath.Join(run.r.Out, rel)
	if err := run.saveModel(dir); err != nil {
		return err
	}
	if err := run.saveHeldOut(dir); err != nil {
		return err
	}
	// The kept folder's stats.json says, beside its point of the run, what it was pretrained
	// on (ReadProvenance), as a finished run's does.
	b, err := json.MarshalIndent(struct {
		Kept
		Corpus   string `json:"corpus"`
		DataSeed uint64 `json:"data_seed"`
	}{k, run.r.Corpus, run.r.DataSeed}, "", "  ")
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, StatsFile), append(b, '\n')); err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	run.prog.Kept = append(run.prog.Kept, k)
	return nil
}

// saveModel writes the model, its config and its tokenizer into dir.
func (run *runner) saveModel(dir string) error {
	dtype := safetensors.F32
	if run.r.FP16 {
		dtype = safetensors.F16
	}
	if err := model.SaveAs(dir, run.pt.Model(), run.tok, map[string]string{"loralab.recipe": filepath.Base(run.r.File)}, dtype); err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	return nil
}

// saveHeldOut writes the held-out windows of the run's split into the model folder dir
// (model.HeldOutFile), with which forgetting is measured on a base read from the folder.
func (run *runner) saveHeldOut(dir string) error {
	d := run.pt.Dataset()
	note := fmt.Sprintf("the leading held-out windows of runexp pretrain %s: corpus %s (data_seed %d), %d of %d documents held out",
		filepath.Base(run.r.File), run.r.Corpus, run.r.DataSeed, d.HeldOutDocs, d.HeldOutDocs+d.TrainDocs)
	if err := run.pt.SaveHeldOut(dir, note); err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	return nil
}

// save writes the resume state: the training state and the progress so far.
func (run *runner) save() error {
	prog := run.prog
	s := run.closeSession()
	prog.Sessions = append(prog.Sessions, s)
	extra, err := json.Marshal(prog)
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	return run.pt.SaveState(run.statePath(), extra)
}

// closeSession returns this session as it stands now.
func (run *runner) closeSession() Session {
	s := run.session
	s.End = time.Now().UTC()
	s.ToStep = run.pt.Done()
	s.Seconds = s.End.Sub(s.Start).Seconds()
	if s.Seconds > 0 {
		s.TokensSec = float64(int64(s.ToStep-s.FromStep)*run.tokensPerStep) / s.Seconds
	}
	s.CPUSeconds = -1
	if now := cpuSeconds(); now >= 0 && s.cpuStart >= 0 {
		s.CPUSeconds = now - s.cpuStart
	}
	return s
}

// finish writes the output folder, stats.json last, and removes the resume state.
func (run *runner) finish() (*Stats, error) {
	r := run.r
	if err := run.saveModel(r.Out); err != nil {
		return nil, err
	}
	if err := run.saveHeldOut(r.Out); err != nil {
		return nil, err
	}
	tokBytes, err := os.ReadFile(filepath.Join(r.Out, model.TokenizerFile))
	if err != nil {
		return nil, fmt.Errorf("pretrain: %w", err)
	}
	sessions := append(run.prog.Sessions, run.closeSession())
	st := &Stats{
		Recipe: r.File, RecipeSHA256: sha(r.Source), Config: pretrainConfig(r), Preset: r.Preset, DataSeed: r.DataSeed,
		Params: run.pt.Model().NumParams(), Steps: run.pt.Done(), TokensSeen: int64(run.pt.Done()) * run.tokensPerStep,
		Sessions: sessions, HeldOut: run.pt.Evaluate(), Data: run.pt.Dataset(),
		Tokenizer: TokenizerInfo{Vocab: run.tok.VocabSize(), SHA256: sha(tokBytes)},
		Kept:      run.prog.Kept, WeightsDType: "F32",
	}
	if r.FP16 {
		st.WeightsDType = "F16"
	}
	trained := 0
	for _, s := range sessions {
		st.WallSeconds += s.Seconds
		trained += s.ToStep - s.FromStep
	}
	if st.WallSeconds > 0 {
		st.TokensPerSec = float64(int64(trained)*run.tokensPerStep) / st.WallSeconds
	}
	if err := writeCurveFigure(r.Out, run.prog.Curve, r.Model.Arch); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("pretrain: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(r.Out, StatsFile), append(b, '\n')); err != nil {
		return nil, fmt.Errorf("pretrain: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(r.Out, resumeDir)); err != nil {
		return nil, fmt.Errorf("pretrain: %w", err)
	}
	return st, nil
}

// readStats returns the stats of a finished output folder, or nil if it is not finished.
func readStats(out string) (*Stats, error) {
	b, err := os.ReadFile(filepath.Join(out, StatsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pretrain: %w", err)
	}
	var st Stats
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("pretrain: %s: %w", filepath.Join(out, StatsFile), err)
	}
	return &st, nil
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// loadAverage is the 1-minute load average, or -1 where /proc/loadavg is not readable.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, err := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	if err != nil {
		return -1
	}
	return f
}

// cacheOrDefault resolves the cache folder for the tokenizer cache.
func cacheOrDefault(dir string) string {
	if dir != "" {
		return dir
	}
	return datasets.DefaultCacheDir()
}
