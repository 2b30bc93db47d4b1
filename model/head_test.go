package model

import "testing"

func TestAttachHead(t *testing.T) {
	m := newTestModel(t, testConfig(Encoder), 1)
	if err := m.AttachHead(3, 7); err != nil {
		t.Fatal(err)
	}
	if m.Cfg.NumLabels != 3 || m.Head.Out.Out() != 3 || m.Head.Dense.In() != m.Cfg.DModel {
		t.Fatalf("head %d labels, out %d", m.Cfg.NumLabels, m.Head.Out.Out())
	}
	if m.Param("head.out.weight") == nil || m.Param("head.dense.bias") == nil {
		t.Fatal("head tensors are not among the model's parameters")
	}
	again := newTestModel(t, testConfig(Encoder), 1)
	again.AttachHead(3, 7)
	for i, v := range m.Head.Out.W.Data {
		if again.Head.Out.W.Data[i] != v {
			t.Fatal("the same seed drew a different head")
		}
	}
	dec := newTestModel(t, testConfig(Decoder), 1)
	if err := dec.AttachHead(2, 1); err == nil {
		t.Fatal("a head on a decoder: no error")
	}
	if err := m.AttachHead(0, 1); err == nil {
		t.Fatal("a head of 0 outputs: no error")
	}
}
