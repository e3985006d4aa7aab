package scenarios

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// indexedNode is a node of the parsed YAML with the field path it holds,
// e.g. "producers[0].batch.max_records".
type indexedNode struct {
	node  *yaml.Node
	path  string
	isKey bool
}

// nodeIndex finds the YAML nodes behind a field path or a position, so that
// errors about decoded values can point at the text the user wrote.
type nodeIndex struct {
	byPath map[string]*yaml.Node // value node of each field path
	nodes  []indexedNode         // every node, keys and values, in file order
}

// indexNodes walks the tree under root (a document node or any node).
func indexNodes(root *yaml.Node) *nodeIndex {
	idx := &nodeIndex{byPath: map[string]*yaml.Node{}}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	idx.walk(root, "")
	return idx
}

func (idx *nodeIndex) walk(n *yaml.Node, path string) {
	idx.byPath[path] = n
	idx.nodes = append(idx.nodes, indexedNode{node: n, path: path})
	switch n.Kind {
	case yaml.MappingNode:
		var merged []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			if isMergeKey(key) {
				merged = append(merged, mergedMappings(value)...)
				continue
			}
			child := joinPath(path, key.Value)
			idx.nodes = append(idx.nodes, indexedNode{node: key, path: child, isKey: true})
			idx.walk(value, child)
		}
		// Fields merged in with <<: *anchor point at the anchor's text,
		// unless the mapping sets them itself.
		for _, m := range merged {
			for i := 0; i+1 < len(m.Content); i += 2 {
				if child := joinPath(path, m.Content[i].Value); !idx.has(child) {
					idx.walk(m.Content[i+1], child)
				}
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			idx.walk(item, path+"["+strconv.Itoa(i)+"]")
		}
	}
}

// isMergeKey reports a YAML merge key, "<<".
func isMergeKey(key *yaml.Node) bool {
	return key.Kind == yaml.ScalarNode && key.Value == "<<" && (key.Tag == "" || key.Tag == "!!merge")
}

// mergedMappings returns the mappings a merge key's value names: one alias,
// or a list of them.
func mergedMappings(value *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	items := []*yaml.Node{value}
	if value.Kind == yaml.SequenceNode {
		items = value.Content
	}
	for _, item := range items {
		for item.Kind == yaml.AliasNode && item.Alias != nil {
			item = item.Alias
		}
		if item.Kind == yaml.MappingNode {
			out = append(out, item)
		}
	}
	return out
}

// joinPath appends a mapping key to a field path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lookup returns the value node at path, or the node of its nearest parent
// that is in the file (the root when none is), so an error about a missing
// field points at the mapping that should hold it.
func (idx *nodeIndex) lookup(path string) *yaml.Node {
	for {
		if n, ok := idx.byPath[path]; ok {
			return n
		}
		if path == "" {
			return nil
		}
		path = parentPath(path)
	}
}

// has reports whether the file sets the field at path.
func (idx *nodeIndex) has(path string) bool {
	_, ok := idx.byPath[path]
	return ok
}

// parentPath drops the last key or index of path: "a.b[2]" → "a.b" → "a" → "".
func parentPath(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

// position sets e's line and column from its field path.
func (idx *nodeIndex) position(e *Error) {
	if n := idx.lookup(e.Field); n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
}

// at returns the node starting at line:col, preferring a value over a key.
func (idx *nodeIndex) at(line, col int) *indexedNode {
	var found *indexedNode
	for i := range idx.nodes {
		n := &idx.nodes[i]
		if n.node.Line == line && n.node.Column == col && (found == nil || found.isKey) {
			found = n
		}
	}
	return found
}

// keyOnLine returns the mapping key named name on line.
func (idx *nodeIndex) keyOnLine(line int, name string) *indexedNode {
	for i := range idx.nodes {
		n := &idx.nodes[i]
		if n.isKey && n.node.Line == line && n.node.Value == name {
			return n
		}
	}
	return nil
}

// valueOnLine returns the first value node on line whose text starts with
// prefix (yaml.v3 shortens long values to seven characters and "...").
func (idx *nodeIndex) valueOnLine(line int, prefix string) *indexedNode {
	prefix = strings.TrimSuffix(prefix, "...")
	for i := range idx.nodes {
		n := &idx.nodes[i]
		if !n.isKey && n.node.Line == line && strings.HasPrefix(n.node.Value, prefix) {
			return n
		}
	}
	return nil
}
