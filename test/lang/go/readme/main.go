package main

import (
	"github.com/aws/jsii-runtime-go"
	r "github.com/cdk8s-resilient/cdk8s-resilient-go/cdk8sresilient"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	kplus "github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
)

func main() {
	app := cdk8s.NewApp(nil)
	chart := cdk8s.NewChart(app, jsii.String("shop"), nil)

	api := r.NewResilientDeployment(chart, jsii.String("api"), &r.ResilientDeploymentProps{
		Autoscaling: &r.AutoscalingProps{MaxReplicas: jsii.Number(6)}, // HPA; MinReplicas defaults to 2
		Init:        r.InitProcess_DumbInit(nil),                      // dumb-init -- java ...
		Container: &r.ResilientContainerProps{ // cdk8s-plus-27 ContainerProps
			Image:   jsii.String("registry.example.com/shop/api:1.4.2"),
			Command: jsii.Strings("java", "-jar", "/app/api.jar"),
			Ports:   &[]*kplus.ContainerPort{{Number: jsii.Number(8080), Name: jsii.String("http")}},
			Probes: &r.ProbesProps{
				Readiness:      r.HealthCheck_HttpGet(jsii.String("/actuator/health/readiness"), &r.HttpCheckOptions{Port: jsii.String("http")}),
				Liveness:       r.HealthCheck_HttpGet(jsii.String("/actuator/health/liveness"), &r.HttpCheckOptions{Port: jsii.String("http")}),
				StartupTimeout: cdk8s.Duration_Seconds(jsii.Number(120)),
			},
		},
		Shutdown: &r.ShutdownProps{PreStop: r.LifecycleHook_Jvm(nil), AppShutdown: cdk8s.Duration_Seconds(jsii.Number(30))},
	})

	// Every piece is reachable for what the construct does not cover:
	_ = api.Deployment() // cdk8s-plus-27 Deployment
	_ = api.ApiObject()  // its ApiObject (JSON patches)
	_, _, _ = api.Service(), api.PodDisruptionBudget(), api.Autoscaler()
	app.Synth()
}
