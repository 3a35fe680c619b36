import Data
import JobAPI

extension DatasetSpec {
    /// The Data selection this spec stands for; a stratified pick without its own seed uses the job's.
    public func selection(jobSeed: Int) -> DataSelection {
        switch split {
        case .stratified(let perClass, let fraction, let seed):
            return DataSelection(classes: classes, split: .stratified(
                perClass: perClass, validationFraction: fraction, seed: UInt64(max(0, seed ?? jobSeed))))
        case .fixed(let train, let validation):
            return DataSelection(classes: classes, split: .explicit(train: train, validation: validation))
        }
    }
}
