package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"loralab/model/safetensors"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "adapter.safetensors")

	tensors := []safetensors.Named{
		{Name: "lora_A", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "lora_B", Shape: []int{3, 2}, DType: safetensors.BF16, Data: []float32{0.1, 0, 0, 0, 0, -2}},
	}
	if err := safetensors.WriteFile(path, tensors, map[string]string{"rank": "2"}); err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	a, err := f.Float32("lora_A", []int{2, 3})
	if err != nil {
		log.Fatal(err)
	}
	b, err := f.Float32("lora_B", []int{3, 2}) // BF16 keeps 8 bits of mantissa
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Names(), f.Metadata()["rank"])
	fmt.Println(a)
	fmt.Println(b)
	_, err = f.Float32("lora_A", []int{3, 2})
	fmt.Println(err != nil)
	// Output:
	// [lora_A lora_B] 2
	// [1 2 3 4 5 6]
	// [0.100097656 0 0 0 0 -2]
	// true
}
