//go:build tools

// Package kwok pins sigs.k8s.io/kwok for the cluster scripts, which build its cmd/kwok (the
// controller that plays the kubelet of every simulated node). It is a module of its own because
// kwok brings the Kubernetes client libraries of its own release, which need not match the
// control plane's.
package kwok

import _ "sigs.k8s.io/kwok/cmd/kwok"
