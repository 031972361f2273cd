package main

// The part of Helm 3's template engine the project's chart relies on: Go's text/template with
// sprig's functions (minus env/expandenv, which Helm removes), Helm's own include, tpl,
// required, toYaml/fromYaml/toJson/fromJson and lookup (which, like `helm template`, sees no
// cluster and returns an empty map), missingkey=zero with "<no value>" erased, partials in
// files starting with "_", the built-in objects .Values .Release .Chart .Capabilities
// .Template, and the split of every rendered file into YAML documents sorted in Helm's install
// order.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

// maxIncludeDepth matches Helm's guard against a template that includes itself forever.
const maxIncludeDepth = 1000

type Release struct {
	Name      string
	Namespace string
	Service   string
	Revision  int
	IsInstall bool
	IsUpgrade bool
}

type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (v KubeVersion) String() string { return v.Version }

// APIVersions answers .Capabilities.APIVersions.Has like Helm's default set would for the
// groups the project uses; `helm template` has no cluster either.
type APIVersions []string

func (a APIVersions) Has(version string) bool {
	for _, v := range a {
		if v == version {
			return true
		}
	}
	return false
}

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions APIVersions
}

func NewCapabilities(version string) (Capabilities, error) {
	v, err := semver.NewVersion(version)
	if err != nil {
		return Capabilities{}, fmt.Errorf("--kube-version %q: %v", version, err)
	}
	return Capabilities{
		KubeVersion: KubeVersion{
			Version:    "v" + v.String(),
			Major:      fmt.Sprint(v.Major()),
			Minor:      fmt.Sprint(v.Minor()),
			GitVersion: "v" + v.String(),
		},
		APIVersions: APIVersions{
			"v1", "apps/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
			"coordination.k8s.io/v1", "events.k8s.io/v1", "apiextensions.k8s.io/v1",
		},
	}, nil
}

// CheckKubeVersion refuses to render for a cluster version outside Chart.yaml's kubeVersion,
// as `helm install` does.
func CheckKubeVersion(chart *Chart, caps Capabilities) error {
	if chart.Metadata.KubeVersion == "" {
		return nil
	}
	constraint, err := semver.NewConstraint(chart.Metadata.KubeVersion)
	if err != nil {
		return fmt.Errorf("Chart.yaml kubeVersion %q: %v", chart.Metadata.KubeVersion, err)
	}
	v, _ := semver.NewVersion(caps.KubeVersion.Version)
	if !constraint.Check(v) {
		return fmt.Errorf("chart requires kubeVersion %s which is incompatible with Kubernetes %s",
			chart.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	return nil
}

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		// Helm's toYaml also swallows the error; the document then fails to parse loudly.
		return ""
	}
	enc.Close()
	return strings.TrimSuffix(buf.String(), "\n")
}

func fromYAML(s string) map[string]interface{} {
	out := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &out); err != nil {
		out["Error"] = err.Error()
	}
	return out
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	out := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		out["Error"] = err.Error()
	}
	return out
}

// funcMap builds the function set for one template tree; include and tpl close over root so
// they see every defined template, as in Helm.
func funcMap(root *template.Template) template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")

	includeDepth := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includeDepth[name] > maxIncludeDepth {
			return "", fmt.Errorf("include %q: rendering too deep (a template including itself?)", name)
		}
		includeDepth[name]++
		defer func() { includeDepth[name]-- }()
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Option("missingkey=zero").Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl: %v", err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("tpl: %v", err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, fmt.Errorf("%s", message)
		}
		if s, ok := value.(string); ok && s == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return value, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return funcs
}

// RenderedFile is one template's output after "<no value>" removal.
type RenderedFile struct {
	Name string
	Text string
}

// RenderTemplates executes every template that is not a partial (file name starting with "_").
// NOTES.txt is rendered too (so it must parse and execute) and returned separately.
func RenderTemplates(chart *Chart, values map[string]interface{}, release Release, caps Capabilities) (manifests []RenderedFile, notes string, err error) {
	root := template.New("gotpl")
	root.Funcs(funcMap(root))
	root.Option("missingkey=zero")
	for _, file := range chart.Templates {
		if _, err := root.New(file.Name).Parse(file.Text); err != nil {
			return nil, "", fmt.Errorf("parse error in %s: %v", file.Name, err)
		}
	}
	top := map[string]interface{}{
		"Values":       values,
		"Release":      release,
		"Chart":        chart.Metadata,
		"Capabilities": caps,
	}
	for _, file := range chart.Templates {
		base := path.Base(file.Name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{
			"Name":     file.Name,
			"BasePath": chart.Metadata.Name + "/templates",
		}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, file.Name, data); err != nil {
			return nil, "", fmt.Errorf("render error in %s: %v", file.Name, err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			notes = text
			continue
		}
		ext := path.Ext(base)
		if ext != ".yaml" && ext != ".yml" && ext != ".tpl" {
			// Helm renders other files but does not install them.
			continue
		}
		manifests = append(manifests, RenderedFile{Name: file.Name, Text: text})
	}
	return manifests, notes, nil
}

// Document is one YAML document of the output with what Helm's sorter reads from it.
type Document struct {
	Source string
	Text   string
	Kind   string
	Name   string
}

// installOrder is Helm 3's InstallOrder (pkg/releaseutil/kind_sorter.go).
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService",
}

var documentSeparator = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

// SplitAndSort splits rendered files into documents, drops empty ones, checks each is a
// Kubernetes object, refuses hooks, and orders them as Helm installs them (stable, so objects of
// one kind keep file order).
func SplitAndSort(files []RenderedFile) ([]Document, error) {
	var docs []Document
	for _, file := range files {
		for _, text := range documentSeparator.Split(file.Text, -1) {
			if strings.TrimSpace(text) == "" {
				continue
			}
			var head struct {
				APIVersion string `yaml:"apiVersion"`
				Kind       string `yaml:"kind"`
				Metadata   struct {
					Name        string            `yaml:"name"`
					Annotations map[string]string `yaml:"annotations"`
				} `yaml:"metadata"`
			}
			var probe interface{}
			if err := yaml.Unmarshal([]byte(text), &probe); err != nil {
				return nil, fmt.Errorf("YAML parse error on %s: %v\n%s", file.Name, err, text)
			}
			if probe == nil {
				// Only comments.
				continue
			}
			if err := yaml.Unmarshal([]byte(text), &head); err != nil {
				return nil, fmt.Errorf("%s: not a Kubernetes object: %v", file.Name, err)
			}
			if head.APIVersion == "" || head.Kind == "" || head.Metadata.Name == "" {
				return nil, fmt.Errorf("%s: a document lacks apiVersion, kind or metadata.name:\n%s", file.Name, text)
			}
			if _, ok := head.Metadata.Annotations["helm.sh/hook"]; ok {
				return nil, fmt.Errorf("%s: %s/%s is a Helm hook; hooks are not supported by this renderer", file.Name, head.Kind, head.Metadata.Name)
			}
			docs = append(docs, Document{Source: file.Name, Text: strings.TrimSpace(text) + "\n",
				Kind: head.Kind, Name: head.Metadata.Name})
		}
	}
	rank := func(kind string) int {
		for i, k := range installOrder {
			if k == kind {
				return i
			}
		}
		return len(installOrder)
	}
	sort.SliceStable(docs, func(i, j int) bool {
		ri, rj := rank(docs[i].Kind), rank(docs[j].Kind)
		if ri != rj {
			return ri < rj
		}
		if ri == len(installOrder) {
			// Unknown kinds go last, ordered by kind name, as in Helm.
			return docs[i].Kind < docs[j].Kind
		}
		return false
	})
	return docs, nil
}
