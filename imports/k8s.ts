/**
 * Kubernetes 1.27 API types (L1 constructs such as KubePodDisruptionBudget).
 *
 * We re-export the module that cdk8s-plus-27 generated from the 1.27 definitions instead of
 * committing a second generated copy: the library's L2 objects (cdk8s-plus) and its L1 objects
 * then come from one source and can never drift apart, and users get one copy of these classes.
 * See imports/README.md and `npm run import -- --check`, which regenerates the module offline with
 * cdk8s-cli's own generator and proves the two agree.
 */
export * from 'cdk8s-plus-27/lib/imports/k8s';
