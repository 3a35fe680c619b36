import Foundation

extension JobRunner {
    /// How long a paused run sleeps between polls of `takeCommands` and `shouldInterrupt`.
    static let pausePoll: useconds_t = 50_000

    /// A batch boundary: notices interruption, applies every pending command in order, and blocks
    /// while paused. `.completed` means "go on with the batch".
    func boundary() throws -> EpochEnd {
        if observer.shouldInterrupt { return .interrupt }
        for pending in observer.takeCommands() {
            let action = try apply(pending)
            if case .completed = action {} else { return action }
        }
        while paused {
            usleep(Self.pausePoll)
            if observer.shouldInterrupt { return .interrupt }
            for pending in observer.takeCommands() {
                let action = try apply(pending)
                if case .completed = action {} else { return action }
            }
        }
        return .completed
    }

    /// Applies one command and acknowledges it with a `control` event carrying the effective state
    /// afterwards; a command that cannot apply changes nothing and is acknowledged with its problems.
    func apply(_ pending: PendingCommand) throws -> EpochEnd {
        switch pending.command {
        case .pause:
            paused = true
        case .resume:
            paused = false
        case .stop:
            emitControl(pending, problems: nil)
            return .stop
        case .cancel:
            emitControl(pending, problems: nil)
            return .cancel
        case .unfreeze, .freeze, .setLR:
            switch state.groups.applying(pending.command) {
            case .success(let next):
                state.groups = next
                try syncTrainability()
                applySchedule()
            case .failure(let error):
                emitControl(pending, problems: error.problems)
                return .completed
            }
        }
        emitControl(pending, problems: nil)
        return .completed
    }
}
