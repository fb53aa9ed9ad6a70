// A small, strict XML reader for S3's response documents (ListBucketResult, Error, multipart
// results, DeleteResult ...). No DTDs and no custom entities, so hostile input cannot expand;
// malformed input is a Corrupt error, never a crash. Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ndbucket::s3 {

struct XmlElement {
  std::string name;  // local name: a namespace prefix is dropped
  std::string text;  // concatenated character data directly inside this element, unescaped
  std::vector<XmlElement> children;

  // The first child with this name, or nullptr.
  const XmlElement* child(std::string_view child_name) const;
  // Every child with this name, in document order.
  std::vector<const XmlElement*> all(std::string_view child_name) const;
  // The text of the first child with this name, or `fallback` when there is none.
  std::string child_text(std::string_view child_name, std::string_view fallback = "") const;
};

// Parses a whole document and returns its root element. `what` names the document's source in
// error messages. Errors: Corrupt (malformed, a DOCTYPE, nesting deeper than 64 levels).
XmlElement parse_xml(std::string_view document, std::string_view what);

// Escapes text for use in an element's content (&, <, >, ", ').
std::string xml_escape(std::string_view text);

}  // namespace ndbucket::s3
