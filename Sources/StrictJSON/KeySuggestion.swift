/// The did-you-mean for a misspelled key: of the names a document may use, the one closest
/// to the name it used, when close enough to be a typo. Shared by the configuration file
/// (`processing.max_wrokers`) and the input records (`user_d`).
package enum KeySuggestion {
    /// The candidate closest to `word` by edit distance over UTF-8 bytes, if that distance
    /// is at most `max(2, word.count / divisor)` (a larger `divisor` is stricter).
    package static func closest(to word: String, among candidates: [String], divisor: Int) -> String? {
        let limit = max(2, word.count / divisor)
        let bytes = Array(word.utf8)
        var best: (String, Int)? = nil
        for candidate in candidates {
            let d = editDistance(bytes, Array(candidate.utf8))
            if d <= limit && d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Levenshtein distance, in two rows.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
