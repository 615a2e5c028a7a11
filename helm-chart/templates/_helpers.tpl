{{- define "robustml.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "robustml.serviceAccountName" -}}
{{- default (include "robustml.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "robustml.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "robustml.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The rules the operator needs on namespaced objects: only the verbs its code uses. */}}
{{- define "robustml.namespacedRules" -}}
# RobustModels: watched, their status written (the spec never is).
- apiGroups: [robustml.io]
  resources: [robustmodels]
  verbs: [get, list, watch]
- apiGroups: [robustml.io]
  resources: [robustmodels/status]
  verbs: [get, update, patch]
# One AdversarialTestRun per analysis attempt; the status verbs are what the tester's Role delegates.
# ... and deletes finished ones beyond spec.rollout.analysis.retention (with their Jobs).
- apiGroups: [robustml.io]
  resources: [adversarialtestruns]
  verbs: [get, list, watch, create, delete]
- apiGroups: [robustml.io]
  resources: [adversarialtestruns/status]
  verbs: [get, update, patch]
# Serving objects (server-side apply) and the analysis Job.
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [services, configmaps, serviceaccounts]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, delete]
# The tester's Role, narrowed to its run, and the serving pods' Role (their sidecar reads its detector
# ConfigMap and creates events), with their bindings; the serving ones are watched as dependents.
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch, create, update, patch, delete]
# No bypass: a NetworkPolicy per model admits only the sidecar's ports.
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
# Serving pods are read to explain scheduling and integrity failures.
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
# One Secret per model holding the analysis's own API key, created once with a random key; never read
# (no get/list/watch): the kubelet gives the key to the tester and the sidecars.
- apiGroups: [""]
  resources: [secrets]
  verbs: [create]
# Dynamic Resource Allocation: one ResourceClaimTemplate per revision when gpu.allocation is dra.
- apiGroups: [resource.k8s.io]
  resources: [resourceclaimtemplates]
  verbs: [get, create, update, patch, delete]
{{- if .Values.rbac.gatewayApi }}
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [get, create, update, patch, delete]
{{- end }}
{{- end -}}

{{/* An image reference from images.<name>: [registry/]repository then @digest, else :tag (own, images.tag, appVersion). */}}
{{- define "robustml.image" -}}
{{- $images := .root.Values.images -}}
{{- $repo := .image.repository -}}
{{- with $images.registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" .) $repo }}{{ end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.image.tag | default $images.tag | default .root.Chart.AppVersion) -}}
{{- end -}}
{{- end -}}
