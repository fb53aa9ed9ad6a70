#include "store/s3/xml.hpp"

#include "ndbucket/core/error.hpp"

namespace ndbucket::s3 {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view doc, std::string_view what) : doc_(doc), what_(what) {}

  XmlElement parse_document() {
    skip_misc();
    if (!at("<")) fail("no root element");
    XmlElement root = parse_element(0);
    skip_misc();
    if (pos_ != doc_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(ErrorCode::Corrupt, "malformed XML from " + std::string(what_) + " at byte " +
                                        std::to_string(pos_) + ": " + why);
  }
  bool at(std::string_view token) const { return doc_.substr(pos_).starts_with(token); }
  void skip_space() {
    while (pos_ < doc_.size() &&
           (doc_[pos_] == ' ' || doc_[pos_] == '\t' || doc_[pos_] == '\r' || doc_[pos_] == '\n')) {
      ++pos_;
    }
  }
  void skip_past(std::string_view terminator) {
    std::size_t end = doc_.find(terminator, pos_);
    if (end == std::string_view::npos) fail("unterminated construct");
    pos_ = end + terminator.size();
  }
  // Whitespace, the XML declaration, processing instructions and comments.
  void skip_misc() {
    while (true) {
      skip_space();
      if (at("<?")) {
        skip_past("?>");
      } else if (at("<!--")) {
        skip_past("-->");
      } else if (at("<!DOCTYPE") || at("<!doctype")) {
        fail("document type declarations are not accepted");
      } else {
        return;
      }
    }
  }

  std::string parse_name() {
    std::size_t start = pos_;
    while (pos_ < doc_.size()) {
      char c = doc_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' || c == '=' ||
          c == '<' || c == '"' || c == '\'') {
        break;
      }
      ++pos_;
    }
    if (pos_ == start) fail("expected a name");
    std::string_view name = doc_.substr(start, pos_ - start);
    if (std::size_t colon = name.rfind(':'); colon != std::string_view::npos) {
      name.remove_prefix(colon + 1);
    }
    return std::string(name);
  }

  void append_unescaped(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      std::size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos) fail("unterminated entity");
      std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "lt") {
        out += '<';
      } else if (entity == "gt") {
        out += '>';
      } else if (entity == "amp") {
        out += '&';
      } else if (entity == "quot") {
        out += '"';
      } else if (entity == "apos") {
        out += '\'';
      } else if (entity.size() > 1 && entity[0] == '#') {
        append_code_point(entity, out);
      } else {
        fail("unknown entity &" + std::string(entity) + ";");
      }
      i = semi;
    }
  }

  void append_code_point(std::string_view entity, std::string& out) {
    bool hex = entity[1] == 'x' || entity[1] == 'X';
    std::string_view digits = entity.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 8) fail("bad character reference");
    unsigned long code = 0;
    for (char c : digits) {
      int value = -1;
      if (c >= '0' && c <= '9') value = c - '0';
      if (hex && c >= 'a' && c <= 'f') value = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') value = c - 'A' + 10;
      if (value < 0) fail("bad character reference");
      code = code * (hex ? 16 : 10) + static_cast<unsigned long>(value);
    }
    if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      fail("character reference out of range");
    }
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  void skip_attributes() {
    while (true) {
      skip_space();
      if (pos_ >= doc_.size()) fail("unterminated start tag");
      if (doc_[pos_] == '>' || doc_[pos_] == '/') return;
      parse_name();
      skip_space();
      if (!at("=")) fail("attribute without a value");
      ++pos_;
      skip_space();
      if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) {
        fail("unquoted attribute value");
      }
      char quote = doc_[pos_++];
      std::size_t end = doc_.find(quote, pos_);
      if (end == std::string_view::npos) fail("unterminated attribute value");
      pos_ = end + 1;
    }
  }

  XmlElement parse_element(int depth) {
    if (depth >= kMaxDepth) fail("elements nested too deeply");
    ++pos_;  // '<'
    XmlElement element;
    element.name = parse_name();
    skip_attributes();
    if (at("/>")) {
      pos_ += 2;
      return element;
    }
    ++pos_;  // '>'
    while (true) {
      if (pos_ >= doc_.size()) fail("unterminated element <" + element.name + ">");
      if (at("</")) {
        pos_ += 2;
        std::string closing = parse_name();
        if (closing != element.name) fail("</" + closing + "> closes <" + element.name + ">");
        skip_space();
        if (!at(">")) fail("unterminated end tag");
        ++pos_;
        return element;
      }
      if (at("<!--")) {
        skip_past("-->");
      } else if (at("<![CDATA[")) {
        pos_ += 9;
        std::size_t end = doc_.find("]]>", pos_);
        if (end == std::string_view::npos) fail("unterminated CDATA section");
        element.text.append(doc_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (at("<?")) {
        skip_past("?>");
      } else if (at("<")) {
        element.children.push_back(parse_element(depth + 1));
      } else {
        std::size_t end = doc_.find('<', pos_);
        if (end == std::string_view::npos) end = doc_.size();
        append_unescaped(doc_.substr(pos_, end - pos_), element.text);
        pos_ = end;
      }
    }
  }

  std::string_view doc_;
  std::string_view what_;
  std::size_t pos_ = 0;
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const XmlElement& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::all(std::string_view child_name) const {
  std::vector<const XmlElement*> found;
  for (const XmlElement& c : children) {
    if (c.name == child_name) found.push_back(&c);
  }
  return found;
}

std::string XmlElement::child_text(std::string_view child_name, std::string_view fallback) const {
  const XmlElement* c = child(child_name);
  return c ? c->text : std::string(fallback);
}

XmlElement parse_xml(std::string_view document, std::string_view what) {
  return Parser(document, what).parse_document();
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace ndbucket::s3
