{{/*
The app's name, fixed: in an umbrella chart an alias replaces .Chart.Name, and the
pytemplar template labels every object with its app's name (microservice).
*/}}
{{- define "microservice.name" -}}
microservice
{{- end -}}

{{/* The release's name: fullnameOverride in an umbrella chart (one alias per release). */}}
{{- define "microservice.fullname" -}}
{{- .Values.fullnameOverride | default .Release.Name -}}
{{- end -}}

{{- define "microservice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "microservice.name" . }}
app.kubernetes.io/instance: {{ include "microservice.fullname" . }}
{{- end -}}

{{- define "microservice.labels" -}}
{{ include "microservice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "microservice.name" . }}-{{ .Chart.Version }}
environment: {{ required "environment is required" .Values.environment | quote }}
{{- end -}}

{{/* An HTTP probe against the container's named port. */}}
{{- define "microservice.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: http
initialDelaySeconds: {{ .initialDelaySeconds }}
periodSeconds: {{ .periodSeconds }}
{{- end -}}
