/**
 * simulate's timing rests on the project's kwok stages reading the annotations simulate writes:
 * the names are written twice (scripts/cluster/stages.js is plain JavaScript run by kwok's
 * config; src/simulate/plan.ts is the library), so this keeps them equal and checks each stage
 * reads its annotation.
 */
import { TIMING_ANNOTATIONS } from '../../src/simulate/plan';
import { OUTAGE_LABEL } from '../../src/simulate/session';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stages = require('../../scripts/cluster/stages');

const byName = (name: string) => stages.stagesFor().find((s: any) => s.metadata.name === name);

test('the stages and simulate use the same annotation names', () => {
  expect(stages.ANNOTATIONS).toEqual(TIMING_ANNOTATIONS);
  expect(stages.OUTAGE_LABEL).toBe(OUTAGE_LABEL);
});

test('readiness, Job completion and stopping read their delay from the pod', () => {
  expect(byName('pod-becomes-ready').spec.delay.durationFrom.jq.expression).toBe(`.metadata.annotations["${TIMING_ANNOTATIONS.readyDelay}"]`);
  expect(byName('job-pod-succeeds').spec.delay.durationFrom.jq.expression).toBe(`.metadata.annotations["${TIMING_ANNOTATIONS.completeDelay}"]`);
  const stop = byName('pod-stops').spec;
  expect(stop.delay.durationFrom.jq.expression).toBe(`if .metadata.annotations["${TIMING_ANNOTATIONS.stopAt}"] == "grace-end" then .metadata.deletionTimestamp else null end`);
  expect(stop.next.statusTemplate).toMatch(/phase: Failed/);
  // Removal waits for the stop: the Job controller must see a terminal phase first.
  expect(byName('pod-is-removed').spec.selector.matchExpressions).toContainEqual({ key: '.status.phase', operator: 'In', values: ['Succeeded', 'Failed'] });
});

test('a node in an outage is not made Ready again', () => {
  for (const name of ['node-becomes-ready', 'node-heartbeat']) {
    expect(byName(name).spec.selector.matchExpressions).toContainEqual({ key: `.metadata.labels["${OUTAGE_LABEL}"]`, operator: 'DoesNotExist' });
  }
});
