/// Rows of cells printed with each column padded to its widest cell; the columns in
/// `rightAligned` (numbers) are padded on the left. Shared by `plan`, `replay` and `status`.
package struct TextTable: Sendable {
    package var rows: [[String]] = []
    /// Columns aligned to the right.
    package var rightAligned: Set<Int> = []
    package var indent = "  "

    package init(rightAligned: Set<Int> = [], indent: String = "  ") {
        self.rightAligned = rightAligned
        self.indent = indent
    }

    package mutating func add(_ cells: String...) { rows.append(cells) }

    package mutating func add(_ cells: [String]) { rows.append(cells) }

    package func render() -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        return rows.map { row in
            var line = indent
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                line += rightAligned.contains(i) ? pad + cell : cell + pad
                if i < row.count - 1 { line += "  " }
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
