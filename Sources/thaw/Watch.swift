import ArgumentParser
import Foundation
import JobAPI
import ThawClient

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a job live: a line per epoch under a progress bar, until it ends.",
        discussion: """
            Prints every event so far, then follows the job until it ends: one line per epoch (phase, \
            epoch/total, losses, accuracy, img/s, * on a new best), short lines for status changes, \
            phases, control acknowledgements, advice and the test result. On a terminal a progress bar \
            stays under the lines. --events prints the raw stream instead, one JSON object per line.
            """)
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @Flag(help: "Print the raw event stream as JSON lines ({\"data\", \"id\", \"type\"}).") var events = false
    @Flag(help: .hidden) var raw = false

    /// The job statuses after which no more events come.
    static let finalStates: Set<String> = ["succeeded", "failed", "cancelled", "stopped"]

    func run() throws {
        try reportingErrors {
            let client = try options.client(timeout: 120)
            let screen = WatchScreen(live: !(events || raw) && isatty(STDOUT_FILENO) == 1)
            defer { screen.finish() }
            var formatter = WatchFormatter()
            try client.streamEvents("/v1/jobs/\(job)/events") { message in
                if events || raw {
                    screen.print([message.jsonLine()])
                } else {
                    let lines = formatter.lines(for: message)
                    screen.print(lines, formatter: formatter)
                }
                if message.event == "end" { return false }
                if case .status(let status)? = try? message.trainingEvent(), Self.finalStates.contains(status.status) {
                    return false
                }
                return true
            }
        }
    }
}

/// Standard output for `thaw watch`: lines scroll above a progress bar that a timer redraws every
/// second with the time since the last event (a terminal only; piped output gets the lines alone).
final class WatchScreen: @unchecked Sendable {
    private let live: Bool
    private let lock = NSLock()
    private var formatter = WatchFormatter()
    private var lastEvent = Date()
    private var barShown = false
    private var timer: DispatchSourceTimer?

    init(live: Bool) {
        self.live = live
        guard live else { return }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "thaw.watch.bar"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.redraw() }
        timer.resume()
        self.timer = timer
    }

    func print(_ lines: [String], formatter: WatchFormatter? = nil) {
        lock.withLock {
            if let formatter { self.formatter = formatter }
            lastEvent = Date()
            var out = live && barShown ? "\r\u{1B}[2K" : ""
            for line in lines { out += line + "\n" }
            if live, let bar = bar() {
                out += bar
                barShown = true
            } else {
                barShown = false
            }
            write(out)
        }
    }

    func finish() {
        timer?.cancel()
        lock.withLock { if barShown { write("\n") } }
    }

    private func redraw() {
        lock.withLock {
            guard let bar = bar() else { return }
            write("\r\u{1B}[2K" + bar)
            barShown = true
        }
    }

    private func bar() -> String? {
        formatter.bar(extra: String(format: "%.0fs since the last event", Date().timeIntervalSince(lastEvent)))
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
