import Foundation

/// The few-shot results of one pick as a markdown table beside PyTorch's figures, and the bar of the
/// training issue: the recipe's mean test accuracy beats head_only's and the best scratch's by at
/// least 1.5 pp each and is at most 1.5 pp below PyTorch's recipe.
struct FewShotTable {
    /// PyTorch 2.13.0+cpu on the same protocol and images, test accuracy mean [min, max] over seeds
    /// 42–44 (examples/fewshot/README.md, "The protocol").
    static let pytorch: [String: (mean: Double, min: Double, max: Double)] = [
        "recipe": (0.772, 0.765, 0.779), "gradual": (0.771, 0.766, 0.778), "full_from_start": (0.769, 0.759, 0.781),
        "head_only": (0.746, 0.738, 0.753), "scratch_3e-3": (0.740, 0.731, 0.747), "scratch_1e-3": (0.738, 0.728, 0.756),
        "scratch_1e-2": (0.726, 0.717, 0.731),
    ]
    static let margin = 0.015

    struct Row {
        var strategy: String
        var accuracies: [Double] = []
        var epochs: [Int] = []
        var seconds: [Double] = []
        var mean: Double { accuracies.reduce(0, +) / Double(max(1, accuracies.count)) }
    }

    var pick: String
    var rows: [Row] = []

    mutating func add(strategy: String, accuracy: Double, epochs: Int, seconds: Double) {
        if !rows.contains(where: { $0.strategy == strategy }) { rows.append(Row(strategy: strategy)) }
        let i = rows.firstIndex { $0.strategy == strategy }!
        rows[i].accuracies.append(accuracy)
        rows[i].epochs.append(epochs)
        rows[i].seconds.append(seconds)
    }

    var markdown: String {
        func f3(_ x: Double) -> String { String(format: "%.3f", x) }
        var lines = ["| strategy | Thaw test accuracy | epochs run | wall s (mean) | PyTorch (same protocol) |",
                     "| --- | --- | --- | --- | --- |"]
        for row in rows {
            let acc = "\(f3(row.mean)) [\(f3(row.accuracies.min() ?? .nan)), \(f3(row.accuracies.max() ?? .nan))]"
            let seconds = row.seconds.reduce(0, +) / Double(max(1, row.seconds.count))
            let torch = Self.pytorch[row.strategy].map { "\(f3($0.mean)) [\(f3($0.min)), \(f3($0.max))]" } ?? "–"
            lines.append("| \(row.strategy) | \(acc) | \(row.epochs.map(String.init).joined(separator: ", ")) | "
                         + "\(String(format: "%.1f", seconds)) | \(torch) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The bar's three comparisons, nil when the table lacks the rows they need.
    var bar: String? {
        guard let recipe = rows.first(where: { $0.strategy == "recipe" })?.mean,
              let head = rows.first(where: { $0.strategy == "head_only" })?.mean else { return nil }
        let scratch = rows.filter { $0.strategy.hasPrefix("scratch") }.max { $0.mean < $1.mean }
        guard let scratch else { return nil }
        let torch = Self.pytorch["recipe"]!.mean
        let checks = [
            ("recipe − head_only", recipe - head, recipe - head >= Self.margin),
            ("recipe − best scratch (\(scratch.strategy))", recipe - scratch.mean, recipe - scratch.mean >= Self.margin),
            ("recipe − PyTorch recipe", recipe - torch, recipe - torch >= -Self.margin),
        ]
        let parts = checks.map { "\($0.0) = \(String(format: "%+.1f", $0.1 * 100)) pp \($0.2 ? "ok" : "FAILS")" }
        return "bar (\(pick)): " + parts.joined(separator: "; ") + " → " + (checks.allSatisfy(\.2) ? "met" : "NOT met")
    }
}
