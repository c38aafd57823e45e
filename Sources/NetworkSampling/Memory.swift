import Foundation

/// Memory figures of this machine and process, read from /proc.
public enum MemoryInfo {
    /// `MemAvailable` from /proc/meminfo in bytes (nil when unreadable, e.g. not Linux).
    public static func available() -> Int? { procField("/proc/meminfo", "MemAvailable:") }
    /// `MemTotal` from /proc/meminfo in bytes.
    public static func total() -> Int? { procField("/proc/meminfo", "MemTotal:") }
    /// Peak resident set size of this process (`VmHWM` in /proc/self/status), in bytes.
    public static func peakResident() -> Int? { procField("/proc/self/status", "VmHWM:") }
    /// Current resident set size (`VmRSS`), in bytes.
    public static func currentResident() -> Int? { procField("/proc/self/status", "VmRSS:") }

    static func procField(_ file: String, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let parts = line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let v = parts.first.flatMap({ Int($0) }) { return v * 1024 }  // values are in kB
        }
        return nil
    }

    public static func format(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= Double(1 << 30) { return String(format: "%.2f GiB", b / Double(1 << 30)) }
        return String(format: "%.0f MiB", b / Double(1 << 20))
    }
}
