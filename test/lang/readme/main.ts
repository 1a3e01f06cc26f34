import { App, Chart, Duration } from 'cdk8s';
import { HealthCheck, InitProcess, LifecycleHook, ResilientDeployment } from 'cdk8s-resilient';

const app = new App();
const chart = new Chart(app, 'shop');

const api = new ResilientDeployment(chart, 'api', {
  autoscaling: { maxReplicas: 6 },                       // HPA; minReplicas defaults to 2
  init: InitProcess.dumbInit(),                          // dumb-init -- java ...
  container: {                                           // cdk8s-plus-27 ContainerProps
    image: 'registry.example.com/shop/api:1.4.2',
    command: ['java', '-jar', '/app/api.jar'],
    ports: [{ number: 8080, name: 'http' }],
    probes: {
      readiness: HealthCheck.httpGet('/actuator/health/readiness', { port: 'http' }),
      liveness: HealthCheck.httpGet('/actuator/health/liveness', { port: 'http' }),
      startupTimeout: Duration.seconds(120),
    },
  },
  shutdown: { preStop: LifecycleHook.jvm(), appShutdown: Duration.seconds(30) },
});

// Every piece is reachable for what the construct does not cover:
api.deployment;          // cdk8s-plus-27 Deployment
api.apiObject;           // its ApiObject (JSON patches)
api.service; api.podDisruptionBudget; api.autoscaler;
app.synth();
