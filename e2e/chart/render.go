// sluice-chart-render renders a Helm 3 chart without Helm (none is packaged for Debian), with the
// same template engine Helm uses: Go's text/template plus sprig. It covers what the project's
// chart uses and refuses, with an error, the Helm features it does not implement (see
// charts/sluice-operator/README.md). It also converts YAML files to JSON so tests written
// against the Python standard library can compare manifests.
//
//	sluice-chart-render template [flags] CHART_DIR      multi-document YAML on stdout
//	  --name NAME             release name (default "release-name", as helm template)
//	  --namespace NS          release namespace (default "default")
//	  -f, --values FILE       values file merged over values.yaml (repeatable, in order)
//	  --set k=v[,k2=v2]       value override; lists as {a,b} (repeatable, after -f files)
//	  --set-string k=v        the same, always a string
//	  --kube-version V        .Capabilities.KubeVersion, checked against Chart.yaml kubeVersion
//	  --include-crds          print crds/ first, verbatim
//	  --notes FILE            write the rendered NOTES.txt there
//	sluice-chart-render values [same flags] CHART_DIR   the computed values as JSON
//	sluice-chart-render yaml2json FILE...               [{"file","index","object"}...] as JSON
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

type renderOptions struct {
	chartDir     string
	release      Release
	valueFiles   []string
	sets         []setFlag
	kubeVersion  string
	includeCRDs  bool
	notesOutPath string
}

type setFlag struct {
	arg         string
	forceString bool
}

func usageError(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "sluice-chart-render: "+format+"\n", args...)
	fmt.Fprintln(os.Stderr, "usage: sluice-chart-render template|values [--name N] [--namespace NS] [-f FILE]... [--set k=v]... [--set-string k=v]... [--kube-version V] [--include-crds] [--notes FILE] CHART_DIR")
	fmt.Fprintln(os.Stderr, "       sluice-chart-render yaml2json FILE...")
	os.Exit(2)
}

func parseRenderFlags(args []string) renderOptions {
	opts := renderOptions{
		release:     Release{Name: "release-name", Namespace: "default", Service: "Helm", Revision: 1, IsInstall: true},
		kubeVersion: "v1.20.2",
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		value := func() string {
			if eq := strings.IndexByte(arg, '='); eq > 0 && strings.HasPrefix(arg, "--") {
				return arg[eq+1:]
			}
			if i+1 >= len(args) {
				usageError("flag %s needs a value", arg)
			}
			i++
			return args[i]
		}
		name := arg
		if eq := strings.IndexByte(arg, '='); eq > 0 && strings.HasPrefix(arg, "--") {
			name = arg[:eq]
		}
		switch name {
		case "--name":
			opts.release.Name = value()
		case "--namespace", "-n":
			opts.release.Namespace = value()
		case "-f", "--values":
			opts.valueFiles = append(opts.valueFiles, value())
		case "--set":
			opts.sets = append(opts.sets, setFlag{arg: value()})
		case "--set-string":
			opts.sets = append(opts.sets, setFlag{arg: value(), forceString: true})
		case "--kube-version":
			opts.kubeVersion = value()
		case "--include-crds":
			opts.includeCRDs = true
		case "--notes":
			opts.notesOutPath = value()
		default:
			if strings.HasPrefix(arg, "-") {
				usageError("unknown flag %s", arg)
			}
			if opts.chartDir != "" {
				usageError("one chart directory expected, got %s and %s", opts.chartDir, arg)
			}
			opts.chartDir = arg
		}
	}
	if opts.chartDir == "" {
		usageError("no chart directory given")
	}
	return opts
}

func computeValues(chart *Chart, opts renderOptions) (map[string]interface{}, error) {
	values := chart.Values
	for _, file := range opts.valueFiles {
		override, err := readYAMLMap(file)
		if err != nil {
			return nil, err
		}
		mergeValues(values, override)
	}
	for _, set := range opts.sets {
		if err := ParseSet(values, set.arg, set.forceString); err != nil {
			return nil, err
		}
	}
	return values, nil
}

func runTemplate(opts renderOptions, valuesOnly bool) error {
	chart, err := LoadChart(opts.chartDir)
	if err != nil {
		return err
	}
	caps, err := NewCapabilities(opts.kubeVersion)
	if err != nil {
		return err
	}
	if err := CheckKubeVersion(chart, caps); err != nil {
		return err
	}
	values, err := computeValues(chart, opts)
	if err != nil {
		return err
	}
	if valuesOnly {
		return json.NewEncoder(os.Stdout).Encode(jsonCompatible(values))
	}
	files, notes, err := RenderTemplates(chart, values, opts.release, caps)
	if err != nil {
		return err
	}
	docs, err := SplitAndSort(files)
	if err != nil {
		return err
	}
	var out strings.Builder
	if opts.includeCRDs {
		for _, crd := range chart.CRDs {
			fmt.Fprintf(&out, "---\n# Source: %s\n%s", crd.Name, strings.TrimPrefix(crd.Text, "---\n"))
			if !strings.HasSuffix(crd.Text, "\n") {
				out.WriteString("\n")
			}
		}
	}
	for _, doc := range docs {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s", doc.Source, doc.Text)
	}
	if opts.notesOutPath != "" {
		if err := os.WriteFile(opts.notesOutPath, []byte(notes), 0o644); err != nil {
			return err
		}
	}
	_, err = os.Stdout.WriteString(out.String())
	return err
}

// jsonCompatible turns what yaml.v3 decodes (which may hold map[interface{}]interface{} for
// non-string keys) into values encoding/json accepts.
func jsonCompatible(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			out[k] = jsonCompatible(val)
		}
		return out
	case map[interface{}]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			out[fmt.Sprint(k)] = jsonCompatible(val)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			out[i] = jsonCompatible(val)
		}
		return out
	default:
		return v
	}
}

func runYAML2JSON(paths []string) error {
	type entry struct {
		File   string      `json:"file"`
		Index  int         `json:"index"`
		Object interface{} `json:"object"`
	}
	entries := []entry{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(f)
		for index := 0; ; index++ {
			var doc interface{}
			err := dec.Decode(&doc)
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				f.Close()
				return fmt.Errorf("%s (document %d): %v", p, index, err)
			}
			if doc == nil {
				continue
			}
			entries = append(entries, entry{File: p, Index: index, Object: jsonCompatible(doc)})
		}
		f.Close()
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	return enc.Encode(entries)
}

func main() {
	if len(os.Args) < 2 {
		usageError("no command given")
	}
	var err error
	switch os.Args[1] {
	case "template":
		err = runTemplate(parseRenderFlags(os.Args[2:]), false)
	case "values":
		err = runTemplate(parseRenderFlags(os.Args[2:]), true)
	case "yaml2json":
		err = runYAML2JSON(os.Args[2:])
	case "-h", "--help", "help":
		usageError("help")
	default:
		usageError("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
}
