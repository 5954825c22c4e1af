extension RangeReplaceableCollection where Self: MutableCollection & BidirectionalCollection, Element == ClosedRange<Int64> {
    /// Appends `range` to ascending, disjoint offset ranges, merged into the last one when
    /// it overlaps or touches it (`range` must not start below the last range's start). One
    /// merge for the commit metadata's encoder and the offset tracker's skip marks; safe at
    /// `Int64.max`.
    mutating func appendMerging(_ range: ClosedRange<Int64>) {
        if let lastIndex = indices.last {
            let last = self[lastIndex]
            if last.upperBound == .max || range.lowerBound <= last.upperBound + 1 {
                self[lastIndex] = last.lowerBound...Swift.max(last.upperBound, range.upperBound)
                return
            }
        }
        append(range)
    }
}
