import Foundation

/// The shell's side of Tab on a file name: the entries of the folder that start with the word.
enum PathCompletion {
    /// Paths that start with `word` (folders end in "/"), sorted; hidden entries only when asked for.
    static func candidates(for word: String) -> [String] {
        let (dir, prefix): (String, String)
        if word.hasSuffix("/") { (dir, prefix) = (word, "") }
        else {
            let ns = word as NSString
            let parent = ns.deletingLastPathComponent
            (dir, prefix) = (parent.isEmpty ? "" : parent + (parent.hasSuffix("/") ? "" : "/"), ns.lastPathComponent)
        }
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return listed.filter { $0.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
            var isDirectory: ObjCBool = false
            let path = dir + name
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            return path + (isDirectory.boolValue ? "/" : "")
        }
    }
}
