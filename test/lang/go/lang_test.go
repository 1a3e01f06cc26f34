package langtest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// assertSameYAML fails with both files' paths and the first differing line when got is not
// byte-identical to the TypeScript output.
func assertSameYAML(t *testing.T, gotFile, wantFile string) {
	t.Helper()
	got, err := os.ReadFile(gotFile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(wantFile)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotLines, wantLines := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(gotLines) || i < len(wantLines); i++ {
		var g, w []byte
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if !bytes.Equal(g, w) {
			t.Fatalf("YAML differs from the TypeScript synth (%s) at line %d:\n  TypeScript: %q\n  Go:         %q\n(Go output: %s)", wantFile, i+1, w, g, gotFile)
		}
	}
}

func expectedDir(t *testing.T) string {
	dir := os.Getenv("LANG_EXPECTED_DIR")
	if dir == "" {
		t.Fatal("LANG_EXPECTED_DIR is not set: run test/lang/run.sh")
	}
	return dir
}

func TestProbeChartMatchesTypeScript(t *testing.T) {
	out := t.TempDir()
	SynthProbe(out)
	assertSameYAML(t, filepath.Join(out, "probe.k8s.yaml"), filepath.Join(expectedDir(t), "probe.k8s.yaml"))
}
