// Package langtest holds the Go side of test/lang: programs that must synthesize the same YAML as
// the TypeScript side, byte for byte.
package langtest

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
)

// SynthProbe builds the toolchain probe (the chart of test/lang/probe/probe.js) into outdir.
func SynthProbe(outdir string) {
	app := cdk8s.NewApp(&cdk8s.AppProps{Outdir: jsii.String(outdir)})
	chart := cdk8s.NewChart(app, jsii.String("probe"), nil)
	web := cdk8splus27.NewDeployment(chart, jsii.String("web"), &cdk8splus27.DeploymentProps{
		Replicas: jsii.Number(3),
		Containers: &[]*cdk8splus27.ContainerProps{{
			Image:     jsii.String("registry.example.com/probe/web:1.0.0"),
			Ports:     &[]*cdk8splus27.ContainerPort{{Number: jsii.Number(8080), Name: jsii.String("http")}},
			Readiness: cdk8splus27.Probe_FromHttpGet(jsii.String("/ready"), &cdk8splus27.HttpGetProbeOptions{Port: jsii.Number(8080)}),
			Resources: &cdk8splus27.ContainerResources{
				Cpu:    &cdk8splus27.CpuResources{Request: cdk8splus27.Cpu_Millis(jsii.Number(100))},
				Memory: &cdk8splus27.MemoryResources{Request: cdk8s.Size_Mebibytes(jsii.Number(128)), Limit: cdk8s.Size_Mebibytes(jsii.Number(256))},
			},
			Lifecycle: &cdk8splus27.ContainerLifecycle{
				PreStop: cdk8splus27.Handler_FromCommand(&[]*string{jsii.String("sleep"), jsii.String("5")}),
			},
		}},
		TerminationGracePeriod: cdk8s.Duration_Seconds(jsii.Number(40)),
	})
	web.ExposeViaService(&cdk8splus27.DeploymentExposeViaServiceOptions{
		Ports: &[]*cdk8splus27.ServicePort{{Port: jsii.Number(80), TargetPort: jsii.Number(8080)}},
	})
	app.Synth()
}
