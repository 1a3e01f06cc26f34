package langtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	r "github.com/cdk8s-resilient/cdk8s-resilient-go/cdk8sresilient"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	kplus "github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
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

func TestShopMatchesTypeScript(t *testing.T) {
	out := t.TempDir()
	SynthShop(out)
	assertSameYAML(t, filepath.Join(out, "shop.k8s.yaml"), filepath.Join(expectedDir(t), "shop.k8s.yaml"))
}

// The README's Go block (test/readme-examples.test.ts keeps the two equal) is the program in
// ./readme, run as a user runs it: `go run` with cdk8s.NewApp(nil), which writes where
// CDK8S_OUTDIR says.
func TestReadmeExampleMatchesTypeScript(t *testing.T) {
	want := os.Getenv("LANG_README_EXPECTED")
	if want == "" {
		t.Fatal("LANG_README_EXPECTED is not set: run test/lang/run.sh")
	}
	out := t.TempDir()
	run := exec.Command("go", "run", "./readme")
	run.Env = append(os.Environ(), "CDK8S_OUTDIR="+out)
	if output, err := run.CombinedOutput(); err != nil {
		t.Fatalf("go run ./readme: %v\n%s", err, output)
	}
	assertSameYAML(t, filepath.Join(out, "shop.k8s.yaml"), want)
}

// A construct's error reaches Go as a panic whose message is the library's, intact.
func TestInvalidSettingReachesGoWithPathFieldValueAndFix(t *testing.T) {
	chart := cdk8s.NewChart(cdk8s.NewApp(nil), jsii.String("shop"), nil)
	var message string
	func() {
		defer func() { message = fmt.Sprint(recover()) }()
		r.NewResilientJob(chart, jsii.String("migrate"), &r.ResilientJobProps{
			Container:     &r.ResilientContainerProps{Image: jsii.String("registry.example.com/shop/migrations:1.4.2")},
			RestartPolicy: kplus.RestartPolicy_ALWAYS,
		})
	}()
	want := `[shop/migrate] restartPolicy: "Always" is not allowed for Jobs (Kubernetes accepts only Never or OnFailure). ` +
		`Fix: use RestartPolicy.NEVER (the default) or RestartPolicy.ON_FAILURE`
	// The jsii runtime may put the JavaScript stack after the message: the first line is the error's own.
	if got := strings.SplitN(message, "\n", 2)[0]; got != want {
		t.Fatalf("error message:\n  got:  %q\n  want: %q", got, want)
	}
}
