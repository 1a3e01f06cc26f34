/** The property harness itself must be able to fail: each way a case can break the contract is caught. */
import { ApiObject, Chart } from 'cdk8s';
import { ResilientDeployment } from '../../src';
import { checkCase, newTally } from '../support/property-harness';

const container = { image: 'example/web:1.0.0', portNumber: 8080 };

describe('checkCase', () => {
  test('a valid workload is accepted', () => {
    const tally = newTally();
    checkCase('ok', () => ({}), (app) => { new ResilientDeployment(new Chart(app, 'c'), 'web', { container }); }, tally);
    expect(tally).toMatchObject({ accepted: 1, refused: 0 });
  });

  test('a refusal in the message form is counted as refused', () => {
    const tally = newTally();
    checkCase('refused', () => ({}), (app) => { new ResilientDeployment(new Chart(app, 'c'), 'web', { container, replicas: 1 }); }, tally);
    expect(tally).toMatchObject({ accepted: 0, refused: 1 });
  });

  test.each<[string, (app: any) => void, RegExp]>([
    ['a TypeError', () => { (undefined as any).x = 1; }, /programming error/],
    ['a message without path and fix', () => { throw new Error('something broke'); }, /not in the form/],
    ['null standing for NaN', () => { throw new Error('[c/web] replicas: null is below 2. Fix: use 2'); }, /shows null/],
    ['an accepted object Kubernetes would reject', (app) => {
      new ApiObject(new Chart(app, 'c'), 'bad', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Bad_Name' }, spec: { ports: [{ port: 80 }] } });
    }, /accepted, but Kubernetes would reject it/],
    ['an unknown field', (app) => {
      new ApiObject(new Chart(app, 'c'), 'bad', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }], bogus: 1 } });
    }, /accepted, but Kubernetes would reject it/],
    ['different YAML from the same props', (app) => {
      new ApiObject(new Chart(app, 'c'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${Math.random().toString(36).slice(2, 8)}` } });
    }, /different YAML/],
  ])('%s breaks the contract', (_name, build, message) => {
    expect(() => checkCase('case', () => ({}), build, newTally())).toThrow(message);
  });
});
