// Package analysis turns the folders of a finished sweep into what the LoRA paper shows:
// comparison tables over seeds (Tables 2-6), subspace-similarity heatmaps (Section 7.2,
// Figures 3-4 and 6-7), the amplification study (Section 7.3, Table 7), plots of quality
// against rank and against the number of trainable parameters (Figure 2), learning curves,
// and a report.md that links them all.
//
// The package only reads what runs leave behind (package record: result.json,
// metrics.jsonl, adapter_model.safetensors); it never trains. Report is the entry point the
// sweep runner and `runexp report DIR` call; each part (Aggregate, BuildTable, Similarity,
// Amplify, the plot and render functions) is usable on its own.
//
// Output is deterministic: the same sweep folder and Spec give the same files, byte for
// byte (the random baselines are seeded by Spec.Seed).
package analysis
