// Command kube is one binary holding the control-plane programs the project's cluster tests run:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl. Building them as one
// program links once instead of five times (linking is most of a warm build on two cores) and
// shares every package they have in common.
//
//	kube etcd ...                 | kube apiserver ...
//	kube controller-manager ...   | kube scheduler ...
//	kube kubectl ...              (or call the binary through a link named kubectl)
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	// Time zone data for CronJob timeZone support, as the upstream mains import it.
	_ "time/tzdata"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

const usage = "usage: kube etcd|apiserver|controller-manager|scheduler|kubectl [flags]"

func main() {
	name, args := program(os.Args)
	switch name {
	case "etcd":
		// etcd reads its own flags from args[1:].
		etcdmain.Main(append([]string{"etcd"}, args...))
	case "apiserver", "kube-apiserver":
		os.Exit(runCobra(apiserver.NewAPIServerCommand(), args))
	case "controller-manager", "kube-controller-manager":
		os.Exit(runCobra(controllermanager.NewControllerManagerCommand(), args))
	case "scheduler", "kube-scheduler":
		os.Exit(runCobra(scheduler.NewSchedulerCommand(), args))
	case "kubectl":
		os.Args = append([]string{"kubectl"}, args...)
		command := kubectlcmd.NewDefaultKubectlCommand()
		if err := cli.RunNoErrOutput(command); err != nil {
			kubectlutil.CheckErr(err)
		}
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
}

// program picks the program from the name the binary was called by (a link named kubectl)
// or, for the binary's own name, from the first argument.
func program(argv []string) (string, []string) {
	base := strings.TrimSuffix(filepath.Base(argv[0]), ".exe")
	if base != "kube" {
		return base, argv[1:]
	}
	if len(argv) < 2 {
		return "", nil
	}
	return argv[1], argv[2:]
}

// runCobra runs a component's command with the given arguments, as its own main would.
func runCobra(command *cobra.Command, args []string) int {
	command.SetArgs(args)
	return cli.Run(command)
}
