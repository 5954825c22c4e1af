import Foundation
import Testing

@testable import CardGenius

private func temporaryFile(_ name: String, _ contents: [UInt8]) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(contents).write(to: url)
    return url.path
}

private func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
}

private func readAll(_ reader: inout UserSpendRecordReader) throws -> [UserSpendRecordReader.Entry] {
    var entries: [UserSpendRecordReader.Entry] = []
    while let entry = try reader.next() { entries.append(entry) }
    return entries
}

private func failures(_ entries: [UserSpendRecordReader.Entry]) -> [(Int, RecordValidationError)] {
    entries.compactMap { entry in
        if case .failure(let error) = entry.result { return (entry.line, error) }
        return nil
    }
}

@Suite struct UserSpendRecordReaderTests {
    @Test func formatInference() {
        #expect(UserSpendRecordReader.Format(inferringFrom: "in.csv") == .csv)
        #expect(UserSpendRecordReader.Format(inferringFrom: "IN.CSV") == .csv)
        #expect(UserSpendRecordReader.Format(inferringFrom: "in.jsonl") == .jsonl)
        #expect(UserSpendRecordReader.Format(inferringFrom: "in.json") == .jsonl)
        #expect(UserSpendRecordReader.Format(inferringFrom: "-") == .jsonl)
        #expect(UserSpendRecordReader.Format(inferringFrom: "records") == .jsonl)
    }

    @Test func jsonlMixOfGoodAndBadLines() throws {
        let text = [
            #"{"user_id":"u1","fuel":100}"#,  // 1
            "",  // 2 blank
            #"{"user_id":"u2","fuel":"12k"}"#,  // 3 bad
            #"{"user_id":"u3","amazon_spend":5}"#,  // 4 bad
            "   \t",  // 5 blank
            #"{"user_id":"u4","rent":2e3}"# + "\r",  // 6 CRLF
            "not json",  // 7 bad
            #"{"user_id":"u5"}"#,  // 8, no trailing newline
        ].joined(separator: "\n")
        let path = try temporaryFile("in.jsonl", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path)
        #expect(reader.format == .jsonl)
        #expect(reader.totalBytes == Int64(text.utf8.count + 3))
        let entries = try readAll(&reader)
        #expect(entries.map(\.line) == [1, 3, 4, 6, 7, 8])
        let bad = failures(entries)
        #expect(bad.map(\.0) == [3, 4, 7])
        #expect(bad.map(\.1.field) == ["fuel", "amazon_spend", "(record)"])
        #expect(entries[0].raw == Array(#"{"user_id":"u1","fuel":100}"#.utf8))  // BOM removed
        #expect(entries[3].raw == Array(#"{"user_id":"u4","rent":2e3}"#.utf8))  // \r removed
        #expect(try entries[3].result.get().spends[.rent] == 2000)
        #expect(try entries[5].result.get().userID == "u5")
        #expect(reader.bytesRead == reader.totalBytes)
        #expect(reader.lineNumber == 8)
        #expect(try reader.next() == nil)
    }

    @Test func csvMixOfGoodAndBadLines() throws {
        let text =
            [
                "",  // 1 blank before the header
                "user_id,cohort,fuel,rent",  // 2 header
                "u1,A,100,",  // 3
                "u2,,12k,5",  // 4 bad
                "\"u,3\",\"B \"\"x\"\"\",1,2",  // 5
                "",  // 6
                "u4,,1",  // 7 bad: cell count
                "u5,,-1,0\r",  // 8 bad: negative
                "u6,,,",  // 9
            ].joined(separator: "\r\n") + "\r\n"
        let path = try temporaryFile("in.csv", Array(text.utf8))
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path)
        #expect(reader.format == .csv)
        let entries = try readAll(&reader)
        #expect(reader.csvHeader?.names == ["user_id", "cohort", "fuel", "rent"])
        #expect(entries.map(\.line) == [3, 4, 5, 7, 8, 9])
        let bad = failures(entries)
        #expect(bad.map(\.0) == [4, 7, 8])
        #expect(
            bad.map(\.1.description) == [
                #"fuel: must be a finite number >= 0, got "12k""#,
                "(record): has 3 cells, expected 4 (one per header column)",
                "fuel: must be a finite number >= 0, got -1",
            ])
        let third = try entries[2].result.get()
        #expect(third.userID == "u,3")
        #expect(third.cohort == "B \"x\"")
        #expect(try entries[5].result.get() == UserSpendRecord(userID: "u6"))
        #expect(reader.bytesRead == reader.totalBytes)
    }

    @Test func invalidCSVHeaderThrowsWithLine() throws {
        let path = try temporaryFile("bad.csv", Array("\nuser_id,amazon_spend\nu1,5\n".utf8))
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path)
        do {
            _ = try reader.next()
            Issue.record("expected a header error")
        } catch {
            #expect(error.code == .invalidCSVHeader)
            #expect(error.line == 2)
            #expect(
                error.description
                    == #"\#(path) line 2: invalid CSV header: amazon_spend: is not a known column (did you mean "amazon_spends"?)"#)
        }
    }

    @Test func explicitFormatOverridesExtension() throws {
        let path = try temporaryFile("records.txt", Array("user_id,fuel\nu1,3\n".utf8))
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path, format: .csv)
        let entries = try readAll(&reader)
        #expect(entries.count == 1)
        #expect(try entries[0].result.get().spends[.fuel] == 3)
    }

    @Test func missingFileAndDirectory() throws {
        do {
            _ = try UserSpendRecordReader(path: "/nonexistent/in.jsonl")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .cannotOpen)
            #expect(error.description == "/nonexistent/in.jsonl: cannot open: No such file or directory")
        }
        do {
            _ = try UserSpendRecordReader(path: FileManager.default.temporaryDirectory.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .cannotOpen)
        }
    }

    @Test func emptyFile() throws {
        let path = try temporaryFile("empty.jsonl", [])
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path)
        #expect(try reader.next() == nil)
        #expect(reader.totalBytes == 0)
    }

    @Test func overlongLinesAreSkippedAndReported() throws {
        let long = #"{"user_id":"u2","name":""# + String(repeating: "x", count: 5000) + #""}"#
        let text = [#"{"user_id":"u1"}"#, long, #"{"user_id":"u3"}"#].joined(separator: "\n") + "\n"
        let path = try temporaryFile("long.jsonl", Array(text.utf8))
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path, maxLineBytes: 1000)
        let entries = try readAll(&reader)
        #expect(entries.map(\.line) == [1, 2, 3])
        #expect(failures(entries).map(\.0) == [2])
        #expect(failures(entries).first?.1.code == .tooLong)
        #expect(entries[1].raw.count == 1024)
        #expect(try entries[2].result.get().userID == "u3")
        #expect(reader.bytesRead == reader.totalBytes)
    }

    @Test func linesLongerThanAChunkAreReadWhole() throws {
        // 300 KB lines cross several 64 KB reads and grow the buffer.
        let long = #"{"user_id":"u2","name":""# + String(repeating: "y", count: 300_000) + #""}"#
        let text = [#"{"user_id":"u1"}"#, long, long, #"{"user_id":"u3"}"#].joined(separator: "\n")
        let path = try temporaryFile("wide.jsonl", Array(text.utf8))
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path)
        let entries = try readAll(&reader)
        #expect(entries.count == 4)
        #expect(failures(entries).isEmpty)
        #expect(entries[1].raw.count == long.utf8.count)
        #expect(reader.bufferCapacity < 2 * UserSpendRecordReader.defaultMaxLineBytes)
    }

    @Test func twoHundredThousandLinesInConstantMemory() throws {
        let lines = 200_000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines * 90)
        var expectedBad: [Int] = []
        for n in 1...lines {
            if n % 1000 == 0 {
                bytes += Array(#"{"user_id":"u\#(n)","fuel":-1}"#.utf8)
                expectedBad.append(n)
            } else if n % 997 == 0 {
                // blank line
            } else {
                bytes += Array(#"{"user_id":"u\#(n)","fuel":\#(n),"rent":\#(n % 7).5,"cohort":"c\#(n % 3)"}"#.utf8)
            }
            bytes.append(0x0A)
        }
        let path = try temporaryFile("big.jsonl", bytes)
        defer { remove(path) }
        var reader = try UserSpendRecordReader(path: path)
        var good = 0
        var bad: [Int] = []
        var lastLine = 0
        var maxCapacity = 0
        var fuelSum = 0.0
        while let entry = try reader.next() {
            #expect(entry.line > lastLine)
            lastLine = entry.line
            switch entry.result {
            case .success(let record):
                good += 1
                fuelSum += record.spends[.fuel]
            case .failure:
                bad.append(entry.line)
            }
            maxCapacity = max(maxCapacity, reader.bufferCapacity)
        }
        let blanks: Int = (1...lines).filter { $0 % 997 == 0 && $0 % 1000 != 0 }.count
        #expect(bad == expectedBad)
        #expect(good == lines - expectedBad.count - blanks)
        let goodLines: [Int] = (1...lines).filter { $0 % 1000 != 0 && $0 % 997 != 0 }
        let expectedFuel = Double(goodLines.reduce(0, +))
        #expect(fuelSum == expectedFuel)
        #expect(reader.bytesRead == Int64(bytes.count))
        #expect(reader.totalBytes == Int64(bytes.count))
        #expect(maxCapacity <= 256 * 1024)  // a couple of 64 KB chunks, independent of the file size
    }
}
