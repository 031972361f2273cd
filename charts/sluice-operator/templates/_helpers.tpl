{{/* The chart name, used as app.kubernetes.io/name. */}}
{{- define "sluice-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name: the release name when it already contains the chart name (so
`helm install sluice-operator ...` gives objects named sluice-operator, as in manifests/),
otherwise <release>-<chart>.
*/}}
{{- define "sluice-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "sluice-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object; manifests/ carries the same ones except helm.sh/chart and managed-by. */}}
{{- define "sluice-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sluice-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: sluice
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sluice-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The rules the operator needs on KafkaClusters and on the objects it builds for them: the same
list goes into the ClusterRole (all namespaces) or into one Role per watched namespace.
*/}}
{{- define "sluice-operator.workloadRules" -}}
# Watches KafkaClusters, adds and removes its finalizer (update/patch); never creates or deletes them.
- apiGroups: ["sluice.dev"]
  resources: ["kafkaclusters"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["sluice.dev"]
  resources: ["kafkaclusters/status"]
  verbs: ["get", "update", "patch"]
# Owner references with blockOwnerDeletion: true need update on the owner's finalizers
# (the OwnerReferencesPermissionEnforcement admission plugin).
- apiGroups: ["sluice.dev"]
  resources: ["kafkaclusters/finalizers"]
  verbs: ["update"]
# Broker Pods, their ConfigMaps, Services and PVCs; ZooKeeper's ConfigMap and Services.
- apiGroups: [""]
  resources: ["pods", "services", "configmaps", "persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# The managed ZooKeeper ensemble.
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Events on KafkaClusters (events.k8s.io/v1; patch bumps an event series).
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
