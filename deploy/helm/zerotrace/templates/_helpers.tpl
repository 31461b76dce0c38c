{{/* Name of every object: the release name unless fullnameOverride is set. */}}
{{- define "zerotrace.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride -}}
{{- end -}}

{{/* Labels the DaemonSet selects its pods by: they must never change across upgrades. */}}
{{- define "zerotrace.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "zerotrace.labels" -}}
{{ include "zerotrace.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* The account the agent runs as: ours when we create it, else the one named (or "default"). */}}
{{- define "zerotrace.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "zerotrace.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "zerotrace.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
