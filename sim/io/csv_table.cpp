#include "io/csv_table.hpp"

#include "io/checksum.hpp"

#include <algorithm>
#include <cstdint>
#include <set>

#include "io/input_file.hpp"

namespace migsim::detail {

namespace {

using Cell = CsvCell;
using Row = CsvRow;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// RFC 4180: cells separated by commas, quoted cells may hold commas, quotes ("") and line breaks.
std::vector<Row> parse_csv(const std::string& file, const std::string& text, std::size_t max_rows,
                           const std::string& what_rows) {
  std::vector<Row> rows;
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  rows.reserve(std::min(lines, max_rows + 2));  // no regrowth; the header and one row too many at most
  std::size_t cells = 0;
  std::size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // a byte-order mark is not data
  int line = 1;
  int column = 1;
  auto advance = [&](char c) {
    if (c == '\n') {
      ++line;
      column = 1;
    } else if (!is_continuation(c)) {
      ++column;
    }
  };
  Row row;
  bool row_has_text = false;
  while (i <= text.size()) {
    Cell cell{"", line, column};
    if (i < text.size() && text[i] == '"') {
      advance(text[i++]);
      for (;;) {
        if (i >= text.size())
          throw InputError({file, cell.line, cell.column}, "", "expected a closing '\"' for the quoted cell");
        const char c = text[i];
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cell.text += '"';
          advance(text[i++]);
          advance(text[i++]);
        } else if (c == '"') {
          advance(text[i++]);
          break;
        } else {
          cell.text += c;
          advance(text[i++]);
        }
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
        throw InputError({file, line, column}, "", "expected ',' or the end of the line after a quoted cell");
      row_has_text = true;
    } else {
      const std::size_t start = i;
      for (; i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r'; ++i)
        if (!is_continuation(text[i])) ++column;  // as advance() would, with no line break here
      cell.text.assign(text, start, i - start);
      row_has_text = row_has_text || !cell.text.empty();
    }
    row.push_back(std::move(cell));
    if (i < text.size() && text[i] == ',') {
      advance(text[i++]);
      row_has_text = true;
      continue;
    }
    if (i < text.size() && text[i] == '\r') ++i;
    const std::size_t width = row.size();
    // Limits checked as the rows are read, before they take the memory.
    if (row_has_text && rows.size() > max_rows)
      throw InputError({file, row.front().line, 1}, "",
                       "expected at most " + std::to_string(max_rows) + " rows in a table of " + what_rows);
    cells += width;
    if (cells > kMaxTableCells)
      throw InputError({file, row.front().line, 1}, "",
                       "expected at most " + std::to_string(kMaxTableCells) + " cells in a table file");
    if (row_has_text) rows.push_back(std::move(row));  // blank lines are skipped
    row = Row();
    row.reserve(width);
    row_has_text = false;
    if (i >= text.size()) break;
    advance(text[i++]);  // the '\n'
  }
  return rows;
}

// One header cell's key path, split into keys and [indices].
struct Segment {
  std::string key;
  bool is_index = false;
  std::size_t index = 0;
};

std::vector<Segment> parse_header(const std::string& file, const Cell& cell) {
  std::vector<Segment> out;
  std::string current;
  auto bad = [&](const std::string& why) {
    return InputError({file, cell.line, cell.column}, cell.text,
                      "expected a column name made of keys and list indices like location[0] or policy.ajts: " + why);
  };
  const std::string& t = cell.text;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '.') {
      if (current.empty() && (out.empty() || !out.back().is_index)) throw bad("empty key");
      if (!current.empty()) out.push_back(Segment{current, false, 0});
      current.clear();
    } else if (t[i] == '[') {
      if (!current.empty()) out.push_back(Segment{current, false, 0});
      current.clear();
      if (out.empty()) throw bad("an index needs a key before it");
      const auto close = t.find(']', i);
      const auto digits = close == std::string::npos ? std::string() : t.substr(i + 1, close - i - 1);
      if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw bad("expected a whole number inside []");
      out.push_back({"", true, static_cast<std::size_t>(std::stoul(digits))});
      i = close;
    } else {
      current += t[i];
    }
  }
  if (!current.empty()) out.push_back(Segment{current, false, 0});
  if (out.empty()) throw bad("the cell is empty");
  return out;
}

// The columns arranged as the tree of keys they spell; leaves hold a column number.
struct Slot {
  std::string key;
  bool is_list = false;
  int column = -1;
  std::vector<Slot> children;
};

void insert(const std::string& file, const Cell& cell, Slot& root, const std::vector<Segment>& path, int column) {
  auto bad = [&](const std::string& why) { return InputError({file, cell.line, cell.column}, cell.text, why); };
  Slot* at = &root;
  for (const auto& segment : path) {
    if (at->column >= 0) throw bad("expected this column to name a key inside no other column's value");
    if (segment.is_index) {
      if (!at->children.empty() && !at->is_list) throw bad("expected keys or list indices under one name, not both");
      at->is_list = true;
      if (segment.index > at->children.size())
        throw bad("expected list elements in order, [" + std::to_string(at->children.size()) + "] first");
      if (segment.index == at->children.size()) at->children.push_back({});
      at = &at->children[segment.index];
    } else {
      if (at->is_list) throw bad("expected keys or list indices under one name, not both");
      auto it =
          std::find_if(at->children.begin(), at->children.end(), [&](const Slot& s) { return s.key == segment.key; });
      if (it == at->children.end()) {
        at->children.push_back(Slot{segment.key, false, -1, {}});
        it = at->children.end() - 1;
      }
      at = &*it;
    }
  }
  if (at->column >= 0 || !at->children.empty()) throw bad("expected each key to have one column");
  at->column = column;
}

// Writes text as a YAML double-quoted scalar in plain ASCII, so YAML marks count as columns do.
void quote(const std::string& file, const Cell& cell, std::string& out) {
  out += '"';
  const std::string& t = cell.text;
  for (std::size_t i = 0; i < t.size();) {
    const auto c = static_cast<unsigned char>(t[i]);
    std::uint32_t code = c;
    std::size_t length = 1;
    if (c >= 0x80) {
      length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
      if (length == 0 || i + length > t.size())
        throw InputError({file, cell.line, cell.column}, "", "expected UTF-8 text in the cell");
      code = c & (0x7FU >> length);
      for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(t[i + k]) & 0x3FU);
    }
    i += length;
    if (code == '"' || code == '\\') {
      out += '\\';
      out += static_cast<char>(code);
    } else if (code >= 0x20 && code < 0x7F) {
      out += static_cast<char>(code);
    } else {
      char escape[12];
      std::snprintf(escape, sizeof escape, "\\U%08X", static_cast<unsigned>(code));
      out += escape;
    }
  }
  out += '"';
}

struct RowWriter {
  const std::string& file;
  const Row& header;
  const Row& row;
  std::string& out;
  std::vector<int>& anchor_columns;  // pairs into anchors below
  std::vector<std::pair<int, int>>& anchor_places;

  void anchor(int line, int column) {
    anchor_columns.push_back(static_cast<int>(out.size()));
    anchor_places.emplace_back(line, column);
  }

  bool has_value(const Slot& s) const {
    if (s.column >= 0) return !row[static_cast<std::size_t>(s.column)].text.empty();
    return std::any_of(s.children.begin(), s.children.end(), [&](const Slot& c) { return has_value(c); });
  }

  static std::size_t first_column(const Slot& s) {
    return s.column >= 0 ? static_cast<std::size_t>(s.column) : first_column(s.children.front());
  }

  void value(const Slot& s) {
    if (s.column >= 0) {
      const Cell& cell = row[static_cast<std::size_t>(s.column)];
      anchor(cell.line, cell.column);
      quote(file, cell, out);
      return;
    }
    out += s.is_list ? '[' : '{';
    bool first = true;
    for (const auto& child : s.children) {
      if (!has_value(child)) {
        // A list keeps its positions: an empty element among given ones would shift the rest.
        if (s.is_list) {
          const Cell& here = row[first_column(child)];
          throw InputError({file, here.line, here.column}, header[first_column(child)].text,
                           "expected a value: the other elements of this list are given");
        }
        continue;
      }
      if (!first) out += ", ";
      first = false;
      if (!s.is_list) {
        const Cell& h = header[first_column(child)];
        anchor(h.line, h.column);
        quote(file, Cell{child.key, h.line, h.column}, out);
        out += ": ";
      }
      value(child);
    }
    out += s.is_list ? ']' : '}';
  }
};

// The header's columns as the tree of keys they spell; the key column (if any) stays out of it.
Slot header_tree(const std::string& file, const Row& header, const std::string& key_column) {
  Slot root;
  for (std::size_t c = 0; c < header.size(); ++c)
    if (key_column.empty() || header[c].text != key_column)
      insert(file, header[c], root, parse_header(file, header[c]), static_cast<int>(c));
  return root;
}

}  // namespace

CsvTable::CsvTable(const std::string& csv_path, const std::string& key_column, std::size_t max_rows,
                   const std::string& what_rows)
    : file_(csv_path), key_column_(key_column) {
  const std::string text = read_input_file(csv_path, kTableFileLimits);
  sha256_ = sha256_hex(text);
  rows_ = parse_csv(csv_path, text, max_rows, what_rows);
  if (rows_.empty()) throw InputError({csv_path, 1, 1}, "", "expected a header row naming the columns");
  header_ = std::move(rows_.front());
  rows_.erase(rows_.begin());
  for (const Row& row : rows_)
    if (row.size() != header_.size())
      throw InputError(
          {csv_path, row.front().line, row.front().column}, "",
          "expected " + std::to_string(header_.size()) + " cells as in the header, got " + std::to_string(row.size()));
  if (!key_column.empty() &&
      std::none_of(header_.begin(), header_.end(), [&](const Cell& c) { return c.text == key_column; }))
    throw InputError({csv_path, 1, 1}, key_column, "expected a column named '" + key_column + "' (the table's key)");
  header_tree(csv_path, header_, key_column);  // checked now, so a bad header is reported however it is read
}

const YAML::Node& CsvTable::node() const {
  if (!built_) build_node();
  return node_;
}

void CsvTable::build_node() const {
  const std::string& csv_path = file_;
  const std::string& key_column = key_column_;
  const Row& header = header_;
  const Slot root = header_tree(csv_path, header, key_column);
  int key_index = -1;
  for (std::size_t c = 0; c < header.size() && !key_column.empty(); ++c)
    if (header[c].text == key_column) key_index = static_cast<int>(c);

  std::string text;
  std::set<std::string> keys;
  for (const Row& row : rows_) {
    std::vector<int> columns;
    std::vector<std::pair<int, int>> places;
    std::string line;
    RowWriter writer{csv_path, header, row, line, columns, places};
    if (key_index >= 0) {
      const Cell& key = row[static_cast<std::size_t>(key_index)];
      if (key.text.empty()) throw InputError({csv_path, key.line, key.column}, key_column, "expected a name");
      if (!keys.insert(key.text).second)
        throw InputError({csv_path, key.line, key.column}, key.text, "duplicate key (each name may appear once)");
      writer.anchor(key.line, key.column);
      quote(csv_path, key, line);
      line += ": ";
    } else {
      line += "- ";
    }
    writer.anchor(row.front().line, 1);
    writer.value(root);
    std::vector<Anchor> anchors;
    for (std::size_t k = 0; k < columns.size(); ++k) anchors.push_back({columns[k], places[k].first, places[k].second});
    anchors_.push_back(std::move(anchors));
    text += line;
    text += '\n';
  }
  if (rows_.empty()) text = key_index >= 0 ? "{}" : "[]";
  try {
    node_ = YAML::Load(text);
  } catch (const YAML::Exception& e) {  // the generated text is always valid YAML
    throw InputError({csv_path, 0, 0}, "", std::string("internal error reading the table: ") + e.what());
  }
  built_ = true;
}

SourceLocation CsvTable::locate(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0 || static_cast<std::size_t>(mark.line) >= anchors_.size()) return {file_, 1, 1};
  const auto& line = anchors_[static_cast<std::size_t>(mark.line)];
  const Anchor* best = line.empty() ? nullptr : &line.front();
  for (const auto& a : line)
    if (a.generated_column <= mark.column) best = &a;
  if (best == nullptr) return {file_, 1, 1};
  return {file_, best->line, best->column};
}

}  // namespace migsim::detail
