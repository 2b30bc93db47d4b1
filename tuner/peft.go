package tuner

// Files of a Hugging Face PEFT adapter folder.
const (
	PEFTConfigFile  = "adapter_config.json"
	PEFTWeightsFile = "adapter_model.safetensors"
)

// ExportOptions fill the descriptive fields of adapter_config.json.
type ExportOptions struct {
	BaseModel string // base_model_name_or_path, e.g. the base checkpoint's folder
	TaskType  string // task_type; "" picks CAUSAL_LM, SEQ_CLS or FEATURE_EXTRACTION from the model
}

// PEFTExporter is a method that writes itself as a Hugging Face PEFT adapter folder
// (adapter_config.json and adapter_model.safetensors in PEFT's layout).
type PEFTExporter interface {
	ExportPEFT(dir string, opts ExportOptions) error
}

// ExportRun writes meth's adapter into a run folder when meth is a PEFTExporter and does
// nothing for other methods; it fits sweeprun.Executor.Export, so that every run of a method
// PEFT knows leaves a PEFT adapter (for LoRA, adapter_model.safetensors is what the subspace
// analysis reads).
func ExportRun(meth Method, dir string) error {
	e, ok := meth.(PEFTExporter)
	if !ok {
		return nil
	}
	return e.ExportPEFT(dir, ExportOptions{})
}
