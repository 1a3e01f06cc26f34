/**
 * The example app: a small shop. `npm run synth` compiles this and runs `cdk8s synth`, which
 * writes dist/shop.k8s.yaml.
 */
// First, so the modules below load from Node's compile cache (see startup-cache.ts).
import './startup-cache';
import { App, Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  HealthCheck, HelperInjection, ImageTools, InitProcess, LifecycleHook, ResilienceProfile, Rules, ResilientCronJob, ResilientDaemonSet, ResilientDeployment, ResilientJob, ResilientStatefulSet,
  Tolerations,
} from './index';

export class ShopChart extends Chart {
  public readonly web: ResilientDeployment;
  public readonly api: ResilientDeployment;
  public readonly db: ResilientStatefulSet;
  public readonly migrate: ResilientJob;
  public readonly nightlyReport: ResilientCronJob;
  public readonly logAgent: ResilientDaemonSet;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, ...props });

    // nginx-unprivileged runs as a non-root user on 8080 and keeps its PID file and caches in
    // /tmp, which an emptyDir makes writable under the read-only root file system.
    const webTmp = kplus.Volume.fromEmptyDir(this, 'web-tmp', 'tmp');
    this.web = new ResilientDeployment(this, 'web', {
      name: 'web',
      component: 'frontend',
      partOf: 'shop',
      replicas: 3,
      container: {
        image: 'nginxinc/nginx-unprivileged:1.25.3',
        portNumber: 8080,
        volumeMounts: [{ volume: webTmp, path: '/tmp' }],
        probes: {
          readiness: HealthCheck.httpGet('/', { port: 8080 }),
        },
      },
      shutdown: {
        preStop: LifecycleHook.nginx({ pidFile: '/tmp/nginx.pid' }),
        appShutdown: Duration.seconds(15),
      },
    });

    // A JVM service on a distroless image (no shell, no sleep, no init). An init container copies
    // a static busybox and dumb-init from the platform's helper image into a read-only shared
    // volume; dumb-init runs as PID 1, forwards SIGTERM to java and reaps zombies, and the JVM
    // preStop (busybox sh + sleep) pauses, signals PID 1 and waits for java to exit so shutdown
    // hooks finish inside the grace period.
    const apiTmp = kplus.Volume.fromEmptyDir(this, 'api-tmp', 'tmp');
    this.api = new ResilientDeployment(this, 'api', {
      name: 'api',
      component: 'backend',
      partOf: 'shop',
      autoscaling: { minReplicas: 2, maxReplicas: 6 },
      init: InitProcess.dumbInit(),
      helpers: HelperInjection.fromImage({
        image: 'registry.example.com/platform/resilience-helpers:1.0.0',
        busybox: '/bin/busybox',
        dumbInit: '/usr/bin/dumb-init',
      }),
      container: {
        image: 'registry.example.com/shop/api:1.4.2',
        imageTools: ImageTools.none(),
        command: ['java', '-XX:MaxRAMPercentage=75', '-jar', '/app/api.jar'],
        ports: [{ number: 8080, name: 'http' }],
        volumeMounts: [{ volume: apiTmp, path: '/tmp' }],
        resources: {
          cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(2000) },
          memory: { request: Size.mebibytes(768), limit: Size.mebibytes(768) },
        },
        probes: {
          readiness: HealthCheck.httpGet('/actuator/health/readiness', { port: 'http' }),
          liveness: HealthCheck.httpGet('/actuator/health/liveness', { port: 'http' }),
          startupTimeout: Duration.seconds(120),
        },
      },
      shutdown: {
        preStop: LifecycleHook.jvm(),
        appShutdown: Duration.seconds(30),
      },
    });

    // PostgreSQL: one primary with its own 10Gi claim, retained on delete and scale-down. The
    // image runs as the postgres user (999) so the pod stays non-root; its socket directory and
    // /tmp are emptyDirs under the read-only root file system. A fast shutdown in preStop
    // (SIGTERM alone would ask for a "smart" one that waits for every client) gets 45 s.
    const dbRun = kplus.Volume.fromEmptyDir(this, 'db-run', 'run');
    const dbTmp = kplus.Volume.fromEmptyDir(this, 'db-tmp', 'tmp');
    this.db = new ResilientStatefulSet(this, 'db', {
      name: 'db',
      component: 'database',
      partOf: 'shop',
      replicas: 1,
      fsGroup: 999,
      container: {
        image: 'postgres:16.4',
        ports: [{ number: 5432, name: 'postgres' }],
        envVariables: {
          PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata'),
          POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, 'db-credentials', 'db-credentials'), key: 'password' }),
        },
        securityContext: { user: 999, group: 999 },
        volumeMounts: [{ volume: dbRun, path: '/var/run/postgresql' }, { volume: dbTmp, path: '/tmp' }],
        resources: {
          cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(2000) },
          memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
        },
        probes: {
          readiness: HealthCheck.exec(['pg_isready', '-U', 'postgres', '-h', '127.0.0.1', '-p', '5432']),
          liveness: HealthCheck.tcp({ port: 'postgres' }),
          startupTimeout: Duration.seconds(300),
        },
      },
      volumeClaims: [{ name: 'data', size: Size.gibibytes(10), mountPath: '/var/lib/postgresql/data' }],
      clientService: {},
      shutdown: {
        preStop: LifecycleHook.postgres({ stopTimeout: Duration.seconds(45) }),
        appShutdown: Duration.seconds(10),
      },
    });

    // One primary is all this example runs: replication is outside its scope, so the rule that
    // asks for two replicas is suppressed here, with the reason written into the manifest.
    Rules.of(this.db).suppress('replicas-too-few', 'single PostgreSQL primary; replication is out of scope for this example');

    // Schema migrations, once per release. A Job's pod template cannot change once created, so
    // the name carries the release and each release applies a new Job; finished ones are deleted
    // after a day. The `flyway` launcher is a shell script that starts java, so dumb-init (in the
    // image) signals the whole process group: on a drain java gets SIGTERM and stops cleanly, and
    // the evicted attempt is retried without using up the two retries.
    const migrateTmp = kplus.Volume.fromEmptyDir(this, 'migrate-tmp', 'tmp');
    this.migrate = new ResilientJob(this, 'migrate', {
      name: 'migrate-1-4-2',
      component: 'migration',
      partOf: 'shop',
      backoffLimit: 2,
      activeDeadline: Duration.minutes(15),
      init: InitProcess.dumbInit(),
      container: {
        image: 'registry.example.com/shop/migrations:1.4.2',
        command: ['flyway', '-connectRetries=10', 'migrate'],
        // In alphabetical order: Go maps have none, and the jsii Go runtime sends their keys
        // sorted, so this order is the one every language writes.
        envVariables: {
          FLYWAY_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(this, 'migrate-db-credentials', 'db-credentials'), key: 'password' }),
          FLYWAY_URL: kplus.EnvValue.fromValue('jdbc:postgresql://db:5432/postgres'),
          FLYWAY_USER: kplus.EnvValue.fromValue('postgres'),
        },
        securityContext: { user: 10001, group: 10001 },
        volumeMounts: [{ volume: migrateTmp, path: '/tmp' }],
        resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } },
      },
      shutdown: { appShutdown: Duration.seconds(20) },
    });

    // The nightly sales report at 04:30 Berlin time: outside 02:00-03:00, the hour that daylight
    // saving skips in spring and repeats in autumn. Forbid (the default) never runs two at once;
    // a run may start up to an hour late and may take two. Exit code 2 is the report's "bad
    // configuration", which no retry fixes, so the run fails at once. tini (in the image) is PID 1
    // and forwards SIGTERM to python.
    const reportTmp = kplus.Volume.fromEmptyDir(this, 'nightly-report-tmp', 'tmp');
    this.nightlyReport = new ResilientCronJob(this, 'nightly-report', {
      name: 'nightly-report',
      component: 'reporting',
      partOf: 'shop',
      schedule: '30 4 * * *',
      timeZone: 'Europe/Berlin',
      startingDeadline: Duration.hours(1),
      activeDeadline: Duration.hours(2),
      failJobOnExitCodes: [2],
      init: InitProcess.tini(),
      container: {
        image: 'registry.example.com/shop/reports:1.4.2',
        command: ['python', '-m', 'shop_reports.nightly'],
        envVariables: { REPORT_DATABASE_HOST: kplus.EnvValue.fromValue('db') },
        securityContext: { user: 10001, group: 10001 },
        volumeMounts: [{ volume: reportTmp, path: '/tmp' }],
        resources: {
          cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
        },
      },
      shutdown: { appShutdown: Duration.seconds(60) },
    });

    // Fluent Bit on every node (control plane and dedicated pools included), shipping container
    // logs. The logs under /var/log belong to root with mode 0640, so the agent runs as uid 0,
    // with every capability dropped and read-only mounts. Its read positions live in a host
    // directory so a restarted agent resumes where it stopped; two agents must not share that
    // file, so updates replace one node's agent at a time without surge (the default). No
    // preStop: it serves no traffic, and on SIGTERM it flushes its buffers within `Grace 5`.
    // Where the cluster defines a priority class for node agents, set priorityClassName so the
    // agent can preempt ordinary pods to get onto a full node.
    // Pod Security: hostPath volumes are outside both `restricted` and `baseline`, so the agent
    // (with its ConfigMap) goes to a namespace labelled
    // `pod-security.kubernetes.io/enforce: privileged`; every other workload of this example
    // runs under `restricted`. test/cluster/ applies it that way to a real API server.
    const logAgentConfig = new kplus.ConfigMap(this, 'log-agent-config', {
      metadata: { name: 'log-agent', labels: { 'app.kubernetes.io/name': 'log-agent', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s' } },
      data: {
        'fluent-bit.conf': [
          '[SERVICE]',
          '    Flush         1',
          '    Grace         5',
          '    HTTP_Server   On',
          '    HTTP_Listen   0.0.0.0',
          '    HTTP_Port     2020',
          '    Health_Check  On',
          '',
          '[INPUT]',
          '    Name              tail',
          '    Path              /var/log/containers/*.log',
          '    multiline.parser  cri',
          '    Tag               kube.*',
          '    DB                /var/lib/fluent-bit/tail.db',
          '    Mem_Buf_Limit     50MB',
          '',
          '[OUTPUT]',
          '    Name   forward',
          '    Match  *',
          '    Host   logs.example.com',
          '    Port   24224',
          '',
        ].join('\n'),
      },
    });
    this.logAgent = new ResilientDaemonSet(this, 'log-agent', {
      name: 'log-agent',
      component: 'logging',
      partOf: 'shop',
      tolerations: [Tolerations.everywhere()],
      container: {
        image: 'cr.fluentbit.io/fluent/fluent-bit:2.2.2',
        command: ['/fluent-bit/bin/fluent-bit', '-c', '/fluent-bit/etc/shop/fluent-bit.conf'],
        ports: [{ number: 2020, name: 'http' }],
        securityContext: { ensureNonRoot: false, user: 0, group: 0 },
        volumeMounts: [
          { volume: kplus.Volume.fromConfigMap(this, 'log-agent-config-volume', logAgentConfig), path: '/fluent-bit/etc/shop', readOnly: true },
          { volume: kplus.Volume.fromHostPath(this, 'log-agent-var-log', 'var-log', { path: '/var/log' }), path: '/var/log', readOnly: true },
          {
            volume: kplus.Volume.fromHostPath(this, 'log-agent-state', 'state', { path: '/var/lib/fluent-bit', type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE }),
            path: '/var/lib/fluent-bit',
          },
        ],
        resources: {
          cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(128), limit: Size.mebibytes(128) },
        },
        probes: {
          readiness: HealthCheck.httpGet('/api/v1/health', { port: 'http' }),
          liveness: HealthCheck.tcp({ port: 'http' }),
        },
      },
      shutdown: { preStop: LifecycleHook.none(), appShutdown: Duration.seconds(10) },
    });
  }
}

/**
 * The profile the example is synthesized with: `production` unless RESILIENCE_PROFILE (or the
 * app's `resilience-profile` context) says `development`.
 */
export function exampleProfile(app: App, env: NodeJS.ProcessEnv = process.env): ResilienceProfile {
  const name = String(app.node.tryGetContext('resilience-profile') ?? env.RESILIENCE_PROFILE ?? 'production');
  if (name === 'production') return ResilienceProfile.production();
  if (name === 'development') return ResilienceProfile.development();
  throw new Error(`RESILIENCE_PROFILE: "${name}" is not a profile of this example. Fix: use "production" (the default) or "development"`);
}

if (require.main === module) {
  const app = new App();
  exampleProfile(app).applyTo(app);
  new ShopChart(app, 'shop');
  // RESILIENCE_EXPLAIN=1 prints each workload's effective settings and where each came from.
  if (process.env.RESILIENCE_EXPLAIN) process.stderr.write(ResilienceProfile.explain(app));
  app.synth();
}
