/**
 * The example app: a small shop. `npm run synth` compiles this and runs `cdk8s synth`, which
 * writes dist/shop.k8s.yaml.
 */
import { App, Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HealthCheck, InitProcess, LifecycleHook, ResilientDeployment, ResilientStatefulSet } from './index';

export class ShopChart extends Chart {
  public readonly web: ResilientDeployment;
  public readonly api: ResilientDeployment;
  public readonly db: ResilientStatefulSet;

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

    // A JVM service: dumb-init as PID 1 forwards SIGTERM to java and reaps zombies; the JVM
    // preStop waits for java to exit so shutdown hooks finish inside the grace period.
    const apiTmp = kplus.Volume.fromEmptyDir(this, 'api-tmp', 'tmp');
    this.api = new ResilientDeployment(this, 'api', {
      name: 'api',
      component: 'backend',
      partOf: 'shop',
      autoscaling: { minReplicas: 2, maxReplicas: 6 },
      init: InitProcess.dumbInit(),
      container: {
        image: 'registry.example.com/shop/api:1.4.2',
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
  }
}


if (require.main === module) {
  const app = new App();
  new ShopChart(app, 'shop');
  app.synth();
}
