/// The job object's bytes written by hand: the same bytes as `Wire.encode(view)` (the oracle, kept
/// for everything else and checked against this in JobViewWireWriterTests), without JSONEncoder's
/// boxing and key sorting, which made `GET /v1/jobs/{id}` cost tens of microseconds per request.
/// Each writer lists its keys in their sorted order; only maps keyed by data (class and metric
/// names, a spec's own keys) are sorted at run time.
extension JobView {
    public func wireBytes() -> [UInt8] {
        var writer = WireWriter()
        write(to: &writer)
        return writer.bytes
    }

    public func write(to w: inout WireWriter) {
        w.beginObject()
        w.key("attempts"); w.int(attempts)
        w.key("crashes"); w.int(crashes)
        w.key("created_at"); w.int(createdAt)
        let specParts = fragments.spec
        let trainingParts = fragments.training
        w.key("dataset")
        if let specParts { w.raw(specParts.dataset) } else { w.json(spec.field("dataset") ?? .null) }
        w.key("epoch"); w.optional(training.epoch)
        w.key("error")
        if let failure {
            w.beginObject()
            w.key("code"); w.string(failure.code)
            w.key("message"); w.string(failure.message)
            w.endObject()
        } else {
            w.null()
        }
        if let experiment { w.key("experiment"); w.string(experiment) }
        w.key("finished_at"); w.optional(finishedAt)
        w.key("groups")
        if let trainingParts {
            w.raw(trainingParts.groups)
        } else {
            w.beginArray()
            for group in training.groups { group.write(to: &w) }
            w.endArray()
        }
        w.key("id"); w.string(id)
        if let trainingParts {
            if let lrFind = trainingParts.lrFind { w.key("lr_find"); w.raw(lrFind) }
            w.key("metrics"); w.raw(trainingParts.metrics)
        } else {
            if let lrFind = training.lrFind { w.key("lr_find"); lrFind.write(to: &w) }
            w.key("metrics"); JobMetricsView(training).write(to: &w)
        }
        w.key("model")
        if let specParts { w.raw(specParts.model) } else { w.json(spec.field("model") ?? .null) }
        w.key("model_id"); w.optional(modelID)
        w.key("name"); w.optional(name)
        w.key("node"); w.optional(node)
        w.key("object"); w.string("job")
        w.key("phase"); w.optional(training.phase)
        w.key("priority"); w.int(priority)
        if let result {
            w.key("result")
            if let rendered = fragments.result { w.raw(rendered) } else { w.json(result) }
        }
        w.key("spec")
        if let specParts { w.raw(specParts.spec) } else { w.json(spec) }
        w.key("started_at"); w.optional(startedAt)
        w.key("status"); w.string(status)
        w.key("step"); w.optional(training.step)
        w.key("timings")
        w.beginObject()
        w.key("queued_seconds"); w.number(queuedSeconds)
        if let runningSeconds { w.key("running_seconds"); w.number(runningSeconds) }
        w.endObject()
        w.key("type")
        if let specParts { w.raw(specParts.type) } else { w.json(spec.field("type") ?? .string("train")) }
        w.endObject()
    }
}

extension ListPage where Item == JobView {
    /// `{"data": [...], "has_more", "object": "list"}` with each job as `JobView.write(to:)` writes it.
    public func wireBytes() -> [UInt8] {
        var w = WireWriter(capacity: 2048 * max(1, data.count))
        w.beginObject()
        w.key("data")
        w.beginArray()
        for job in data { job.write(to: &w) }
        w.endArray()
        w.key("has_more"); w.bool(hasMore)
        w.key("object"); w.string("list")
        w.endObject()
        return w.bytes
    }
}

extension GroupView {
    func write(to w: inout WireWriter) {
        w.beginObject()
        w.key("lr"); w.measured(lr)
        w.key("name"); w.string(name)
        w.key("peak_lr"); w.measured(peakLR)
        w.key("trainable"); w.bool(trainable)
        w.endObject()
    }
}

extension JobMetricsView {
    func write(to w: inout WireWriter) {
        w.beginObject()
        if let best = state.best {
            w.key("best"); best.write(to: &w)
        } else if let test = state.test {
            w.key("best")
            w.beginObject()
            w.key("global_epoch"); w.optional(test.bestEpoch)
            w.key("metric"); w.string(test.bestMetric)
            w.key("value"); w.measured(test.bestValue)
            w.endObject()
        }
        if let latest = state.latest { w.key("latest"); latest.write(to: &w) }
        if let test = state.test {
            w.key("restored_best"); w.bool(test.restoredBest)
            w.key("stop_reason"); w.optional(test.stopReason?.rawValue)
            if let split = test.test {
                w.key("test_accuracy"); w.measured(split.accuracy)
                w.key("test_loss"); w.measured(split.loss)
            }
            if let tta = test.tta {
                w.key("tta_accuracy"); w.measured(tta.accuracy)
                w.key("tta_loss"); w.measured(tta.loss)
            }
        }
        w.endObject()
    }
}

extension BestEvent {
    /// Flat: the metrics' names sorted together with the fixed keys.
    func write(to w: inout WireWriter) {
        var names = metrics.keys.filter { !Self.fixed.contains($0) }
        names.append(contentsOf: Self.fixed)
        names.sort()
        w.beginObject()
        for name in names {
            w.key(name)
            switch name {
            case "phase": w.string(phase)
            case "epoch": w.int(epoch)
            case "global_epoch": w.int(globalEpoch)
            default: w.measured(metrics[name] ?? nil)
            }
        }
        w.endObject()
    }
}

extension EpochSummary {
    func write(to w: inout WireWriter) {
        w.beginObject()
        w.key("epoch"); w.int(epoch)
        w.key("from_cache"); w.bool(fromCache)
        w.key("global_epoch"); w.int(globalEpoch)
        w.key("images_per_second"); w.measured(imagesPerSecond)
        w.key("per_class_accuracy"); w.measuredMap(perClassAccuracy)
        w.key("phase"); w.string(phase)
        w.key("seconds"); w.number(seconds)
        w.key("train_loss"); w.measured(trainLoss)
        w.key("val_accuracy"); w.measured(valAccuracy)
        w.key("val_loss"); w.measured(valLoss)
        w.endObject()
    }
}

extension LRFindEvent {
    func write(to w: inout WireWriter) {
        w.beginObject()
        w.key("ended_by"); w.string(endedBy)
        w.key("losses"); w.measuredList(losses)
        w.key("lrs"); w.measuredList(lrs)
        w.key("suggestions")
        if let suggestions {
            w.beginObject()
            w.key("minimum"); w.measured(suggestions.minimum)
            w.key("steep"); w.measured(suggestions.steep)
            w.key("valley"); w.measured(suggestions.valley)
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
    }
}
