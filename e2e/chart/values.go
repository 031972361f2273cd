package main

// Loading a chart directory and computing the values a render sees, the way Helm 3 does for a
// chart without dependencies: Chart.yaml, values.yaml, then every -f file and --set flag in the
// order given, each deep-merged over the last.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ChartMetadata is Chart.yaml. Field names match Helm's chart.Metadata so templates can use
// `.Chart.Name`, `.Chart.AppVersion` and so on exactly as under Helm.
type ChartMetadata struct {
	APIVersion   string                   `yaml:"apiVersion"`
	Name         string                   `yaml:"name"`
	Version      string                   `yaml:"version"`
	KubeVersion  string                   `yaml:"kubeVersion"`
	Description  string                   `yaml:"description"`
	Type         string                   `yaml:"type"`
	Keywords     []string                 `yaml:"keywords"`
	Home         string                   `yaml:"home"`
	Sources      []string                 `yaml:"sources"`
	Maintainers  []map[string]string      `yaml:"maintainers"`
	Icon         string                   `yaml:"icon"`
	AppVersion   string                   `yaml:"appVersion"`
	Deprecated   bool                     `yaml:"deprecated"`
	Annotations  map[string]string        `yaml:"annotations"`
	Dependencies []map[string]interface{} `yaml:"dependencies"`
}

// TemplateFile is one file under templates/, named as Helm names it: "<chart>/templates/<file>".
type TemplateFile struct {
	Name string
	Text string
}

type Chart struct {
	Dir       string
	Metadata  ChartMetadata
	Values    map[string]interface{}
	Templates []TemplateFile // sorted by name, as Helm sorts them
	CRDs      []TemplateFile // crds/*.yaml, never templated (Helm installs them verbatim)
}

func readYAMLMap(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return out, nil
}

// LoadChart reads a chart directory. Features this renderer does not implement are refused with
// an error rather than silently ignored, so a chart can never render differently here than
// under Helm without the test saying so.
func LoadChart(dir string) (*Chart, error) {
	c := &Chart{Dir: dir}
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("not a chart directory: %v", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&c.Metadata); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	if c.Metadata.APIVersion != "v2" {
		return nil, fmt.Errorf("Chart.yaml: apiVersion %q: only v2 (Helm 3) charts are supported", c.Metadata.APIVersion)
	}
	if c.Metadata.Name == "" || c.Metadata.Version == "" {
		return nil, fmt.Errorf("Chart.yaml: name and version are required")
	}
	if c.Metadata.Type == "library" {
		return nil, fmt.Errorf("Chart.yaml: library charts cannot be rendered")
	}
	if len(c.Metadata.Dependencies) > 0 {
		return nil, fmt.Errorf("Chart.yaml: dependencies (subcharts) are not supported by this renderer")
	}
	if _, err := os.Stat(filepath.Join(dir, "charts")); err == nil {
		return nil, fmt.Errorf("%s: subcharts are not supported by this renderer", filepath.Join(dir, "charts"))
	}
	if _, err := os.Stat(filepath.Join(dir, "values.schema.json")); err == nil {
		return nil, fmt.Errorf("values.schema.json is not supported by this renderer (it would not be enforced)")
	}
	valuesPath := filepath.Join(dir, "values.yaml")
	if _, err := os.Stat(valuesPath); err == nil {
		if c.Values, err = readYAMLMap(valuesPath); err != nil {
			return nil, err
		}
	} else {
		c.Values = map[string]interface{}{}
	}
	c.Templates, err = readDir(filepath.Join(dir, "templates"), c.Metadata.Name+"/templates")
	if err != nil {
		return nil, err
	}
	c.CRDs, err = readDir(filepath.Join(dir, "crds"), c.Metadata.Name+"/crds")
	if err != nil {
		return nil, err
	}
	return c, nil
}

// readDir returns every regular file below root (recursively, as Helm loads templates/**),
// named prefix/<relative path>, sorted by name. A missing directory is an empty list.
func readDir(root, prefix string) ([]TemplateFile, error) {
	var files []TemplateFile
	if _, err := os.Stat(root); os.IsNotExist(err) {
		return nil, nil
	}
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files = append(files, TemplateFile{Name: prefix + "/" + filepath.ToSlash(rel), Text: string(data)})
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, err
}

// mergeValues deep-merges override into base (in place) like Helm's coalescing of user values:
// maps merge key by key, anything else replaces, and an explicit null deletes the key.
func mergeValues(base, override map[string]interface{}) {
	for key, value := range override {
		if value == nil {
			delete(base, key)
			continue
		}
		overrideMap, overrideIsMap := value.(map[string]interface{})
		baseMap, baseIsMap := base[key].(map[string]interface{})
		if overrideIsMap && baseIsMap {
			mergeValues(baseMap, overrideMap)
			continue
		}
		base[key] = value
	}
}

// splitOutsideBraces splits "a=1,b={x,y}" on commas that are not inside {...} and not escaped.
func splitOutsideBraces(s string) []string {
	var parts []string
	var current strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s):
			current.WriteByte(s[i+1])
			i++
		case ch == '{':
			depth++
			current.WriteByte(ch)
		case ch == '}':
			depth--
			current.WriteByte(ch)
		case ch == ',' && depth == 0:
			parts = append(parts, current.String())
			current.Reset()
		default:
			current.WriteByte(ch)
		}
	}
	return append(parts, current.String())
}

// typedSetValue gives a --set value Helm's types: int64, bool, null, else string.
func typedSetValue(s string, forceString bool) interface{} {
	if forceString {
		return s
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	// Helm keeps "0"-prefixed numbers such as "0123" as strings.
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && (s == "0" || !strings.HasPrefix(s, "0")) {
		return n
	}
	return s
}

// ParseSet applies one --set (or --set-string) argument to values. Supported: dotted keys,
// several assignments separated by commas, lists as {a,b}. Not supported (an error names it):
// list indexes such as a[0]=x.
func ParseSet(values map[string]interface{}, arg string, forceString bool) error {
	for _, assignment := range splitOutsideBraces(arg) {
		eq := strings.IndexByte(assignment, '=')
		if eq <= 0 {
			return fmt.Errorf("--set %q: expected key=value", assignment)
		}
		key, raw := assignment[:eq], assignment[eq+1:]
		if strings.ContainsAny(key, "[]") {
			return fmt.Errorf("--set %q: list index syntax is not supported by this renderer; use -f with a values file", assignment)
		}
		var value interface{}
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			list := []interface{}{}
			if inner := raw[1 : len(raw)-1]; inner != "" {
				for _, item := range strings.Split(inner, ",") {
					list = append(list, typedSetValue(item, forceString))
				}
			}
			value = list
		} else {
			value = typedSetValue(raw, forceString)
		}
		path := strings.Split(key, ".")
		node := values
		for _, part := range path[:len(path)-1] {
			next, ok := node[part].(map[string]interface{})
			if !ok {
				next = map[string]interface{}{}
				node[part] = next
			}
			node = next
		}
		last := path[len(path)-1]
		if value == nil {
			delete(node, last)
		} else {
			node[last] = value
		}
	}
	return nil
}
