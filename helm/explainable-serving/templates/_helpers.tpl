{{- define "es.name" -}}explainable-serving-operator{{- end -}}
{{- define "es.labels" -}}
app.kubernetes.io/name: {{ include "es.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
{{- define "es.selector" -}}
app.kubernetes.io/name: {{ include "es.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{/* Exactly the calls the operator makes, no more (HelmChartOnControlPlaneTest diffs them against the API server's
     audit log): informers list and watch (every read comes from their caches), server-side apply patches (and so
     creates), stale objects are deleted (an ExplanationJob's Job is not: the garbage collector takes it with its
     owner; cancel is a merge patch); nothing is read with a single get. */}}
{{- define "es.rules" -}}
- apiGroups: ["serving.explainable.dev"]
  resources: ["explainablemodels"]
  verbs: ["list", "watch"]
- apiGroups: ["serving.explainable.dev"]
  resources: ["explainablemodels/status"]
  verbs: ["patch"]
- apiGroups: ["serving.explainable.dev"]
  resources: ["explanationjobs"]
  verbs: ["list", "watch"]
- apiGroups: ["serving.explainable.dev"]
  resources: ["explanationjobs/status"]
  verbs: ["patch"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses", "networkpolicies"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
{{/* A map as "k1=v1,k2=v2" (the operator's gpu-node-selector setting). */}}
{{- define "es.kv" -}}
{{- $pairs := list -}}
{{- range $k, $v := . -}}{{- $pairs = append $pairs (printf "%s=%v" $k $v) -}}{{- end -}}
{{- join "," $pairs -}}
{{- end -}}
{{/* The namespaces the operator watches, unless watchAllNamespaces: watchNamespaces, or the release's own. */}}
{{- define "es.namespaces" -}}
{{- join "," (.Values.watchNamespaces | default (list .Release.Namespace)) -}}
{{- end -}}
