// argocd-health runs a RobustModel health check the way Argo CD runs a user's customization
// (resource.customizations.health.robustml.io_RobustModel in argocd-cm): Argo CD's own Lua VM
// (github.com/argoproj/argo-cd/v3/util/lua, gopher-lua, standard libraries closed), on objects given as
// YAML or JSON files. One JSON line per object: {"file", "status", "message"} or {"file", "error"}.
//
//	argocd-health <health.lua> <object.yaml|json>...
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

type result struct {
	File    string `json:"file"`
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: argocd-health <health.lua> <object.yaml|json>...")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// As argocd-cm's key resource.customizations.health.robustml.io_RobustModel becomes, without useOpenLibs.
	overrides := lua.ResourceHealthOverrides{
		"robustml.io/RobustModel": v1alpha1.ResourceOverride{HealthLua: string(script)},
	}
	out := json.NewEncoder(os.Stdout)
	for _, file := range os.Args[2:] {
		r := result{File: file}
		obj := &unstructured.Unstructured{}
		data, err := os.ReadFile(file)
		if err == nil {
			data, err = yaml.YAMLToJSON(data)
		}
		if err == nil {
			err = obj.UnmarshalJSON(data)
		}
		if err == nil {
			hs, herr := overrides.GetResourceHealth(obj)
			switch {
			case herr != nil:
				r.Error = herr.Error()
			case hs == nil:
				r.Error = "no health (the script returned nil)"
			default:
				r.Status = string(hs.Status)
				r.Message = hs.Message
			}
		} else {
			r.Error = err.Error()
		}
		if err := out.Encode(r); err != nil {
			os.Exit(1)
		}
	}
}
