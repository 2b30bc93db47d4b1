package lora

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/method"
	"loralab/model"
	"loralab/model/target"
	"loralab/tuner"
)

// Files of a PEFT adapter folder (tuner's).
const (
	PEFTConfigFile  = tuner.PEFTConfigFile
	PEFTWeightsFile = tuner.PEFTWeightsFile
)

// PEFTConfig is the part of PEFT's adapter_config.json that describes a LoRA adapter. PEFT
// writes more fields; the reader ignores those that do not change what the weights mean and
// refuses those that do (per-module ranks or alphas, fan_in_fan_out, trained biases).
type PEFTConfig struct {
	PEFTType  string  `json:"peft_type"`
	TaskType  string  `json:"task_type"`
	BaseModel string  `json:"base_model_name_or_path"`
	R         int     `json:"r"`
	Alpha     float64 `json:"lora_alpha"`
	// TargetModules are module-name suffixes: q, k, v, o, fc1, fc2 (matching
	// blocks.<i>.attn.q and so on) and tok_emb.
	TargetModules     []string `json:"target_modules"`
	Dropout           float64  `json:"lora_dropout"`
	Bias              string   `json:"bias"`
	UseRSLoRA         bool     `json:"use_rslora"`
	FanInFanOut       bool     `json:"fan_in_fan_out"`
	LayersToTransform []int    `json:"layers_to_transform"`
	LayersPattern     string   `json:"layers_pattern,omitempty"`
	// InitLoRAWeights is true (Kaiming-uniform A), "gaussian", or a factor init ("pissa",
	// "olora", "milora"), which the reader redoes on the base weights before loading A and B.
	InitLoRAWeights any  `json:"init_lora_weights"`
	InferenceMode   bool `json:"inference_mode"`
	// UseDoRA marks a DoRA adapter, which Spec refuses (ImportDoRA reads it). It is not
	// written for LoRA.
	UseDoRA bool `json:"-"`
	// RankPattern and AlphaPattern give other ranks and alphas to the modules they name;
	// loralab writes and reads them only for GPT-2's fused c_attn (rank r times the number
	// of q, k, v adapted).
	RankPattern  map[string]int     `json:"rank_pattern,omitempty"`
	AlphaPattern map[string]float64 `json:"alpha_pattern,omitempty"`
	// ModulesToSave names modules trained in full and saved with the adapter: the
	// classification head.
	ModulesToSave []string `json:"modules_to_save"`
}

// peftFields are the fields of adapter_config.json a LoRA setting fixes (method.Kind.PEFT).
func peftFields(s method.Spec) map[string]any {
	f := map[string]any{"peft_type": "LORA", "r": s.Rank, "lora_alpha": alphaOf(s), "lora_dropout": s.Dropout,
		"use_rslora": s.Scaling == ScalingRSLoRA, "init_lora_weights": true}
	var modules []string
	for _, t := range target.All() {
		if slices.Contains(s.Targets, t.Name) {
			modules = append(modules, t.Suffix())
		}
	}
	f["target_modules"] = modules
	if len(s.Layers) > 0 {
		layers := slices.Clone(s.Layers)
		slices.Sort(layers)
		f["layers_to_transform"], f["layers_pattern"] = layers, "blocks"
	}
	if _, fromWeights := weightInit(s.Init); fromWeights || s.Init == InitGaussian {
		f["init_lora_weights"] = s.Init // "pissa" and "olora" are PEFT's; "milora" is loralab's own
	}
	return f
}

// peftConfig describes l for adapter_config.json: the fields its setting fixes (peftFields),
// those of the export, and, on a model imported from Hugging Face, that model's module
// names (hfFields).
func (l *LoRA) peftConfig(opts ExportOptions) PEFTConfig {
	var c PEFTConfig
	data, err := json.Marshal(peftFields(l.spec))
	if err == nil {
		err = json.Unmarshal(data, &c)
	}
	if err != nil {
		panic(fmt.Sprintf("lora: peft fields do not fit PEFTConfig: %v", err)) // plain data: cannot happen
	}
	c.TaskType, c.BaseModel, c.Bias, c.InferenceMode = opts.TaskType, opts.BaseModel, "none", true
	if l.model == nil {
		return c
	}
	if c.TaskType == "" {
		c.TaskType = taskType(l.model)
	}
	if c.BaseModel == "" && l.model.Origin != nil {
		c.BaseModel = l.model.Origin.Name
	}
	if l.model.Head != nil {
		c.ModulesToSave = []string{headNamesOf(familyOf(l.model)).module}
	}
	if familyOf(l.model) != "" {
		l.hfFields(&c)
	}
	return c
}

// taskType is PEFT's task_type for a model: CAUSAL_LM for the decoder, SEQ_CLS for an
// encoder with a classification head, FEATURE_EXTRACTION for one without.
func taskType(m *model.Model) string {
	switch {
	case m.Cfg.Arch == model.Decoder:
		return "CAUSAL_LM"
	case m.Head != nil:
		return "SEQ_CLS"
	}
	return "FEATURE_EXTRACTION"
}

// Spec is the method setting the configuration describes on a model of loralab's own. It
// refuses what loralab's LoRA cannot represent, naming the field.
func (c PEFTConfig) Spec() (method.Spec, error) {
	s, err := c.baseSpec("")
	if err != nil {
		return s, err
	}
	if len(c.RankPattern) > 0 || len(c.AlphaPattern) > 0 {
		return s, errors.New("rank_pattern or alpha_pattern set: per-module ranks and alphas are not supported")
	}
	for _, m := range c.TargetModules {
		t, err := targetOf(m)
		if err != nil {
			return s, err
		}
		if !slices.Contains(s.Targets, t) {
			s.Targets = append(s.Targets, t)
		}
	}
	return s, nil
}

// baseSpec is the setting the configuration describes, without its targets, on a model of
// the family ("" for loralab's own): GPT-2 stores its weights [in, out] and needs
// fan_in_fan_out true, every other family false.
func (c PEFTConfig) baseSpec(family string) (method.Spec, error) {
	s := method.Spec{Name: method.LoRA, Rank: c.R, Alpha: c.Alpha, Dropout: c.Dropout,
		Layers: slices.Clone(c.LayersToTransform), Scaling: ScalingStandard, Init: InitKaiming}
	if c.PEFTType != "LORA" {
		return s, fmt.Errorf("peft_type %q, want \"LORA\"", c.PEFTType)
	}
	if c.Bias != "" && c.Bias != "none" {
		return s, fmt.Errorf("bias %q, want \"none\" (trained biases are not supported)", c.Bias)
	}
	if want := family == model.FamilyGPT2; c.FanInFanOut != want {
		if want {
			return s, errors.New("fan_in_fan_out false, want true (GPT-2's Conv1D weights are stored [in, out])")
		}
		return s, errors.New("fan_in_fan_out true, want false (weights stored [out, in])")
	}
	if c.UseRSLoRA {
		s.Scaling = ScalingRSLoRA
	}
	if c.UseDoRA {
		return s, errors.New("use_dora true: a DoRA adapter, which ImportDoRA reads")
	}
	init, _ := c.InitLoRAWeights.(string)
	_, fromWeights := weightInit(init)
	switch {
	case c.InitLoRAWeights == nil || c.InitLoRAWeights == true || c.InitLoRAWeights == false:
	case init == InitGaussian || fromWeights:
		s.Init = init // a factor init is redone on the base weights, then the factors are loaded
	default:
		return s, fmt.Errorf("init_lora_weights %v, want true, false or one of %s", c.InitLoRAWeights, method.OrList(initNames()[1:]))
	}
	if len(c.TargetModules) == 0 {
		return s, errors.New("target_modules is empty, want some adaptable modules (q, v, ...)")
	}
	return s, nil
}

// targetOf maps a target_modules entry, a module-name suffix ("q" or "attn.q", "fc1" or
// "mlp.fc1", "tok_emb"), to a LoRA target.
func targetOf(module string) (string, error) {
	if t, ok := target.ByModule(module); ok {
		return t.Name, nil
	}
	var names []string
	for _, t := range target.All() {
		names = append(names, t.Suffix())
	}
	return "", fmt.Errorf("target_modules entry %q names no adaptable module, want one of %s (or a module path such as attn.q)", module, strings.Join(names, ", "))
}

// ReadPEFTConfig reads dir/adapter_config.json. JSON errors name the file, line and column
// and what was expected; fields that take several forms in PEFT are accepted in each
// (target_modules as a list, layers_to_transform as an integer or a list).
func ReadPEFTConfig(dir string) (PEFTConfig, error) {
	path := filepath.Join(dir, PEFTConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return PEFTConfig{}, fmt.Errorf("lora: peft config: %w", err)
	}
	c, err := parsePEFTConfig(data)
	if err != nil {
		return PEFTConfig{}, fmt.Errorf("lora: peft config %s: %w", path, err)
	}
	return c, nil
}

// rawPEFTConfig is adapter_config.json with the fields of several forms left raw.
type rawPEFTConfig struct {
	PEFTConfig
	TargetModules     json.RawMessage `json:"target_modules"`
	LayersToTransform json.RawMessage `json:"layers_to_transform"`
	UseDoRA           bool            `json:"use_dora"`
}

// parsePEFTConfig decodes the bytes of adapter_config.json.
func parsePEFTConfig(data []byte) (PEFTConfig, error) {
	var raw rawPEFTConfig
	if err := json.Unmarshal(data, &raw); err != nil {
		return PEFTConfig{}, describeJSONError(data, err)
	}
	c := raw.PEFTConfig
	c.UseDoRA = raw.UseDoRA
	if err := decodeField(data, raw.TargetModules, "target_modules", &c.TargetModules, "a list of module names (a regular expression string is not supported)"); err != nil {
		return c, err
	}
	var one int
	if isValue(raw.LayersToTransform) && json.Unmarshal(raw.LayersToTransform, &one) == nil {
		c.LayersToTransform = []int{one}
	} else if err := decodeField(data, raw.LayersToTransform, "layers_to_transform", &c.LayersToTransform, "null, an integer or a list of integers"); err != nil {
		return c, err
	}
	return c, nil
}

// decodeField decodes the raw value of a field into dst, or reports where in data it is and
// what it should have been.
func decodeField(data, value []byte, field string, dst any, want string) error {
	if !isValue(value) {
		return nil
	}
	if err := json.Unmarshal(value, dst); err != nil {
		key := max(bytes.Index(data, []byte(`"`+field+`"`)), 0)
		line, col := lineCol(data, int64(key+bytes.Index(data[key:], value)))
		return fmt.Errorf("line %d, column %d: %s is %s, want %s", line, col, field, value, want)
	}
	return nil
}

// isValue reports whether a raw field holds a value: present and not null.
func isValue(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// describeJSONError turns a decoding error into one that gives the line and column.
func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset-1) // Offset counts the offending byte
		return fmt.Errorf("line %d, column %d: invalid JSON: %w", line, col, err)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		return fmt.Errorf("line %d, column %d: %s is a JSON %s, want %s", line, col, typ.Field, typ.Value, typ.Type)
	}
	return err
}

// lineCol converts a byte offset of data into a 1-based line and column.
func lineCol(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}
