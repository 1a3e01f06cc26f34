// Package langtest holds the Go side of test/lang: the example shop of src/main.ts, which must
// synthesize the same YAML as the TypeScript side, byte for byte.
package langtest

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	r "github.com/cdk8s-resilient/cdk8s-resilient-go/cdk8sresilient"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	kplus "github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
)

// NewShopChart builds the example shop: the same constructs and props as src/main.ts, in the same
// order (each comment there explains the choice). Go has no subclassing of jsii classes, so the
// chart is a plain cdk8s Chart the workloads are added to.
func NewShopChart(scope constructs.Construct, id string) cdk8s.Chart {
	chart := cdk8s.NewChart(scope, jsii.String(id), &cdk8s.ChartProps{DisableResourceNameHashes: jsii.Bool(true)})

	webTmp := kplus.Volume_FromEmptyDir(chart, jsii.String("web-tmp"), jsii.String("tmp"), nil)
	r.NewResilientDeployment(chart, jsii.String("web"), &r.ResilientDeploymentProps{
		Name:      jsii.String("web"),
		Component: jsii.String("frontend"),
		PartOf:    jsii.String("shop"),
		Replicas:  jsii.Number(3),
		Container: &r.ResilientContainerProps{
			Image:        jsii.String("nginxinc/nginx-unprivileged:1.25.3"),
			PortNumber:   jsii.Number(8080),
			VolumeMounts: &[]*kplus.VolumeMount{{Volume: webTmp, Path: jsii.String("/tmp")}},
			Probes: &r.ProbesProps{
				Readiness: r.HealthCheck_HttpGet(jsii.String("/"), &r.HttpCheckOptions{Port: jsii.Number(8080)}),
			},
		},
		Shutdown: &r.ShutdownProps{
			PreStop:     r.LifecycleHook_Nginx(&r.NginxQuitOptions{PidFile: jsii.String("/tmp/nginx.pid")}),
			AppShutdown: cdk8s.Duration_Seconds(jsii.Number(15)),
		},
	})

	apiTmp := kplus.Volume_FromEmptyDir(chart, jsii.String("api-tmp"), jsii.String("tmp"), nil)
	r.NewResilientDeployment(chart, jsii.String("api"), &r.ResilientDeploymentProps{
		Name:        jsii.String("api"),
		Component:   jsii.String("backend"),
		PartOf:      jsii.String("shop"),
		Autoscaling: &r.AutoscalingProps{MinReplicas: jsii.Number(2), MaxReplicas: jsii.Number(6)},
		Init:        r.InitProcess_DumbInit(nil),
		Helpers: r.HelperInjection_FromImage(&r.HelperImageProps{
			Image:    jsii.String("registry.example.com/platform/resilience-helpers:1.0.0"),
			Busybox:  jsii.String("/bin/busybox"),
			DumbInit: jsii.String("/usr/bin/dumb-init"),
		}),
		Container: &r.ResilientContainerProps{
			Image:        jsii.String("registry.example.com/shop/api:1.4.2"),
			ImageTools:   r.ImageTools_None(),
			Command:      jsii.Strings("java", "-XX:MaxRAMPercentage=75", "-jar", "/app/api.jar"),
			Ports:        &[]*kplus.ContainerPort{{Number: jsii.Number(8080), Name: jsii.String("http")}},
			VolumeMounts: &[]*kplus.VolumeMount{{Volume: apiTmp, Path: jsii.String("/tmp")}},
			Resources:    resources(500, 2000, cdk8s.Size_Mebibytes(jsii.Number(768))),
			Probes: &r.ProbesProps{
				Readiness:      r.HealthCheck_HttpGet(jsii.String("/actuator/health/readiness"), &r.HttpCheckOptions{Port: jsii.String("http")}),
				Liveness:       r.HealthCheck_HttpGet(jsii.String("/actuator/health/liveness"), &r.HttpCheckOptions{Port: jsii.String("http")}),
				StartupTimeout: cdk8s.Duration_Seconds(jsii.Number(120)),
			},
		},
		Shutdown: &r.ShutdownProps{PreStop: r.LifecycleHook_Jvm(nil), AppShutdown: cdk8s.Duration_Seconds(jsii.Number(30))},
	})

	dbRun := kplus.Volume_FromEmptyDir(chart, jsii.String("db-run"), jsii.String("run"), nil)
	dbTmp := kplus.Volume_FromEmptyDir(chart, jsii.String("db-tmp"), jsii.String("tmp"), nil)
	db := r.NewResilientStatefulSet(chart, jsii.String("db"), &r.ResilientStatefulSetProps{
		Name:      jsii.String("db"),
		Component: jsii.String("database"),
		PartOf:    jsii.String("shop"),
		Replicas:  jsii.Number(1),
		FsGroup:   jsii.Number(999),
		Container: &r.ResilientContainerProps{
			Image: jsii.String("postgres:16.4"),
			Ports: &[]*kplus.ContainerPort{{Number: jsii.Number(5432), Name: jsii.String("postgres")}},
			EnvVariables: &map[string]kplus.EnvValue{
				"PGDATA":            kplus.EnvValue_FromValue(jsii.String("/var/lib/postgresql/data/pgdata")),
				"POSTGRES_PASSWORD": secretKey(chart, "db-credentials"),
			},
			SecurityContext: &kplus.ContainerSecurityContextProps{User: jsii.Number(999), Group: jsii.Number(999)},
			VolumeMounts: &[]*kplus.VolumeMount{
				{Volume: dbRun, Path: jsii.String("/var/run/postgresql")},
				{Volume: dbTmp, Path: jsii.String("/tmp")},
			},
			Resources: resources(500, 2000, cdk8s.Size_Gibibytes(jsii.Number(1))),
			Probes: &r.ProbesProps{
				Readiness:      r.HealthCheck_Exec(jsii.Strings("pg_isready", "-U", "postgres", "-h", "127.0.0.1", "-p", "5432"), nil),
				Liveness:       r.HealthCheck_Tcp(&r.PortCheckOptions{Port: jsii.String("postgres")}),
				StartupTimeout: cdk8s.Duration_Seconds(jsii.Number(300)),
			},
		},
		VolumeClaims: &[]*r.VolumeClaimProps{{
			Name: jsii.String("data"), Size: cdk8s.Size_Gibibytes(jsii.Number(10)), MountPath: jsii.String("/var/lib/postgresql/data"),
		}},
		ClientService: &r.ServiceOptions{},
		Shutdown: &r.ShutdownProps{
			PreStop:     r.LifecycleHook_Postgres(&r.PostgresShutdownOptions{StopTimeout: cdk8s.Duration_Seconds(jsii.Number(45))}),
			AppShutdown: cdk8s.Duration_Seconds(jsii.Number(10)),
		},
	})

	r.Rules_Of(db).Suppress(jsii.String("replicas-too-few"), jsii.String("single PostgreSQL primary; replication is out of scope for this example"))

	migrateTmp := kplus.Volume_FromEmptyDir(chart, jsii.String("migrate-tmp"), jsii.String("tmp"), nil)
	r.NewResilientJob(chart, jsii.String("migrate"), &r.ResilientJobProps{
		Name:           jsii.String("migrate-1-4-2"),
		Component:      jsii.String("migration"),
		PartOf:         jsii.String("shop"),
		BackoffLimit:   jsii.Number(2),
		ActiveDeadline: cdk8s.Duration_Minutes(jsii.Number(15)),
		Init:           r.InitProcess_DumbInit(nil),
		Container: &r.ResilientContainerProps{
			Image:   jsii.String("registry.example.com/shop/migrations:1.4.2"),
			Command: jsii.Strings("flyway", "-connectRetries=10", "migrate"),
			// Go maps have no order: the jsii runtime sends the keys sorted, as src/main.ts lists them.
			EnvVariables: &map[string]kplus.EnvValue{
				"FLYWAY_PASSWORD": secretKey(chart, "migrate-db-credentials"),
				"FLYWAY_URL":      kplus.EnvValue_FromValue(jsii.String("jdbc:postgresql://db:5432/postgres")),
				"FLYWAY_USER":     kplus.EnvValue_FromValue(jsii.String("postgres")),
			},
			SecurityContext: &kplus.ContainerSecurityContextProps{User: jsii.Number(10001), Group: jsii.Number(10001)},
			VolumeMounts:    &[]*kplus.VolumeMount{{Volume: migrateTmp, Path: jsii.String("/tmp")}},
			Resources: &kplus.ContainerResources{
				Memory: &kplus.MemoryResources{Request: cdk8s.Size_Mebibytes(jsii.Number(512)), Limit: cdk8s.Size_Mebibytes(jsii.Number(512))},
			},
		},
		Shutdown: &r.ShutdownProps{AppShutdown: cdk8s.Duration_Seconds(jsii.Number(20))},
	})

	reportTmp := kplus.Volume_FromEmptyDir(chart, jsii.String("nightly-report-tmp"), jsii.String("tmp"), nil)
	r.NewResilientCronJob(chart, jsii.String("nightly-report"), &r.ResilientCronJobProps{
		Name:               jsii.String("nightly-report"),
		Component:          jsii.String("reporting"),
		PartOf:             jsii.String("shop"),
		Schedule:           jsii.String("30 4 * * *"),
		TimeZone:           jsii.String("Europe/Berlin"),
		StartingDeadline:   cdk8s.Duration_Hours(jsii.Number(1)),
		ActiveDeadline:     cdk8s.Duration_Hours(jsii.Number(2)),
		FailJobOnExitCodes: jsii.Numbers(2),
		Init:               r.InitProcess_Tini(nil),
		Container: &r.ResilientContainerProps{
			Image:           jsii.String("registry.example.com/shop/reports:1.4.2"),
			Command:         jsii.Strings("python", "-m", "shop_reports.nightly"),
			EnvVariables:    &map[string]kplus.EnvValue{"REPORT_DATABASE_HOST": kplus.EnvValue_FromValue(jsii.String("db"))},
			SecurityContext: &kplus.ContainerSecurityContextProps{User: jsii.Number(10001), Group: jsii.Number(10001)},
			VolumeMounts:    &[]*kplus.VolumeMount{{Volume: reportTmp, Path: jsii.String("/tmp")}},
			Resources:       resources(500, 1000, cdk8s.Size_Mebibytes(jsii.Number(512))),
		},
		Shutdown: &r.ShutdownProps{AppShutdown: cdk8s.Duration_Seconds(jsii.Number(60))},
	})

	logAgentConfig := kplus.NewConfigMap(chart, jsii.String("log-agent-config"), &kplus.ConfigMapProps{
		Metadata: &cdk8s.ApiObjectMetadata{
			Name: jsii.String("log-agent"),
			Labels: &map[string]*string{
				"app.kubernetes.io/name":       jsii.String("log-agent"),
				"app.kubernetes.io/part-of":    jsii.String("shop"),
				"app.kubernetes.io/managed-by": jsii.String("cdk8s"),
			},
		},
		Data: &map[string]*string{"fluent-bit.conf": jsii.String(strings.Join(fluentBitConf, "\n"))},
	})
	r.NewResilientDaemonSet(chart, jsii.String("log-agent"), &r.ResilientDaemonSetProps{
		Name:        jsii.String("log-agent"),
		Component:   jsii.String("logging"),
		PartOf:      jsii.String("shop"),
		Tolerations: &[]r.Tolerations{r.Tolerations_Everywhere()},
		Container: &r.ResilientContainerProps{
			Image:           jsii.String("cr.fluentbit.io/fluent/fluent-bit:2.2.2"),
			Command:         jsii.Strings("/fluent-bit/bin/fluent-bit", "-c", "/fluent-bit/etc/shop/fluent-bit.conf"),
			Ports:           &[]*kplus.ContainerPort{{Number: jsii.Number(2020), Name: jsii.String("http")}},
			SecurityContext: &kplus.ContainerSecurityContextProps{EnsureNonRoot: jsii.Bool(false), User: jsii.Number(0), Group: jsii.Number(0)},
			VolumeMounts: &[]*kplus.VolumeMount{
				{
					Volume:   kplus.Volume_FromConfigMap(chart, jsii.String("log-agent-config-volume"), logAgentConfig, nil),
					Path:     jsii.String("/fluent-bit/etc/shop"),
					ReadOnly: jsii.Bool(true),
				},
				{
					Volume:   kplus.Volume_FromHostPath(chart, jsii.String("log-agent-var-log"), jsii.String("var-log"), &kplus.HostPathVolumeOptions{Path: jsii.String("/var/log")}),
					Path:     jsii.String("/var/log"),
					ReadOnly: jsii.Bool(true),
				},
				{
					Volume: kplus.Volume_FromHostPath(chart, jsii.String("log-agent-state"), jsii.String("state"),
						&kplus.HostPathVolumeOptions{Path: jsii.String("/var/lib/fluent-bit"), Type: kplus.HostPathVolumeType_DIRECTORY_OR_CREATE}),
					Path: jsii.String("/var/lib/fluent-bit"),
				},
			},
			Resources: resources(50, 500, cdk8s.Size_Mebibytes(jsii.Number(128))),
			Probes: &r.ProbesProps{
				Readiness: r.HealthCheck_HttpGet(jsii.String("/api/v1/health"), &r.HttpCheckOptions{Port: jsii.String("http")}),
				Liveness:  r.HealthCheck_Tcp(&r.PortCheckOptions{Port: jsii.String("http")}),
			},
		},
		Shutdown: &r.ShutdownProps{PreStop: r.LifecycleHook_None(), AppShutdown: cdk8s.Duration_Seconds(jsii.Number(10))},
	})
	return chart
}

// resources: CPU request and limit in millicores, memory request equal to the limit.
func resources(cpuRequest, cpuLimit float64, memory cdk8s.Size) *kplus.ContainerResources {
	return &kplus.ContainerResources{
		Cpu:    &kplus.CpuResources{Request: kplus.Cpu_Millis(jsii.Number(cpuRequest)), Limit: kplus.Cpu_Millis(jsii.Number(cpuLimit))},
		Memory: &kplus.MemoryResources{Request: memory, Limit: memory},
	}
}

func secretKey(scope constructs.Construct, id string) kplus.EnvValue {
	secret := kplus.Secret_FromSecretName(scope, jsii.String(id), jsii.String("db-credentials"))
	return kplus.EnvValue_FromSecretValue(&kplus.SecretValue{Secret: secret, Key: jsii.String("password")}, nil)
}

var fluentBitConf = []string{
	"[SERVICE]",
	"    Flush         1",
	"    Grace         5",
	"    HTTP_Server   On",
	"    HTTP_Listen   0.0.0.0",
	"    HTTP_Port     2020",
	"    Health_Check  On",
	"",
	"[INPUT]",
	"    Name              tail",
	"    Path              /var/log/containers/*.log",
	"    multiline.parser  cri",
	"    Tag               kube.*",
	"    DB                /var/lib/fluent-bit/tail.db",
	"    Mem_Buf_Limit     50MB",
	"",
	"[OUTPUT]",
	"    Name   forward",
	"    Match  *",
	"    Host   logs.example.com",
	"    Port   24224",
	"",
}

// ExampleProfile is production unless RESILIENCE_PROFILE (or the app's resilience-profile context) says development.
func ExampleProfile(app cdk8s.App) r.ResilienceProfile {
	name := os.Getenv("RESILIENCE_PROFILE")
	if context := app.Node().TryGetContext(jsii.String("resilience-profile")); context != nil {
		name = fmt.Sprint(context)
	}
	switch name {
	case "", "production":
		return r.ResilienceProfile_Production()
	case "development":
		return r.ResilienceProfile_Development()
	}
	panic(fmt.Sprintf("RESILIENCE_PROFILE: %q is not a profile of this example. Fix: use \"production\" (the default) or \"development\"", name))
}

// SynthShop writes the example shop into outdir (outdir/shop.k8s.yaml).
func SynthShop(outdir string) {
	app := cdk8s.NewApp(&cdk8s.AppProps{Outdir: jsii.String(outdir)})
	ExampleProfile(app).ApplyTo(app)
	NewShopChart(app, "shop")
	app.Synth()
}
