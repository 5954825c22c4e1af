/// Rows of cells printed with each column padded to its widest cell; the columns in
/// `rightAligned` (numbers) are padded on the left. Shared by `plan`, `replay` and `status`.
public struct TextTable: Sendable {
    public var rows: [[String]] = []
    /// Columns aligned to the right.
    public var rightAligned: Set<Int> = []
    public var indent = "  "

    public init(rightAligned: Set<Int> = [], indent: String = "  ") {
        self.rightAligned = rightAligned
        self.indent = indent
    }

    public mutating func add(_ cells: String...) { rows.append(cells) }

    public mutating func add(_ cells: [String]) { rows.append(cells) }

    public func render() -> String {
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
