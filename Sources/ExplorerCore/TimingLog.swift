import Foundation

/// `--timing-log FILE`: one tab-separated line per frame drawn after a key.
public final class TimingLog {
    private let handle: FileHandle

    public init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else { return nil }
        handle = h
        write("# ntkscope timing log: milliseconds; key_to_frame = key read → frame on screen (old plots if the solve is pending);\n"
              + "# key_to_finished = key read → frame showing that key's solved model\n"
              + "key_to_frame\tkey_to_finished\tsolve\tlayout\tdraw\twarm\twidth\theight\tview\n")
    }

    func write(_ s: String) { handle.write(Data(s.utf8)) }

    public func log(keyToFrame: Double?, keyToFinishedFrame: Double?, solve: Double?, layout: Double, draw: Double,
                    warm: Bool, size: (Int, Int), view: String) {
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
        write("\(f(keyToFrame))\t\(f(keyToFinishedFrame))\t\(f(solve))\t\(f(layout))\t\(f(draw))\t\(warm ? "warm" : "cold")\t\(size.0)\t\(size.1)\t\(view)\n")
    }

    public func close() { try? handle.close() }
}
