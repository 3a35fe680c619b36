import Foundation
import JobAPI
import Testing

/// `ControlCommand.Body` is what a client posts to `POST /v1/jobs/{id}/{action}`: the route's reader
/// reads it back as the same command, for every body shape docs/api.md shows.
@Suite struct ControlCommandBodyTests {
    static let commands: [ControlCommand] = [
        .unfreeze(.groups(["block2", "head"]), lr: nil),
        .unfreeze(.last(2), lr: .uniform(1e-4)),
        .unfreeze(.all, lr: .discriminative(min: 1e-5, max: 1e-3)),
        .unfreeze(.lastLayers(3), lr: .perGroup(["block2": 1e-4], default: nil)),
        .freeze(.layers(["features.10"])),
        .freeze(.last(1)),
        .setLR(.set(.uniform(1e-4))),
        .setLR(.set(.discriminative(min: nil, max: 1e-3))),
        .setLR(.set(.perGroup(["head": 1e-3], default: nil))),
        .setLR(.scale(0.5, groups: nil)),
        .setLR(.scale(0.1, groups: ["head"])),
        .pause, .resume, .stop, .cancel,
    ]

    @Test(arguments: commands) func theRouteReadsTheBodyBackAsTheSameCommand(_ command: ControlCommand) throws {
        let body = command.body
        #expect(body.action == command.action)
        let bytes = try Wire.encode(body)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\"action\""), "the route names the action, not the body")
        #expect(ControlCommand.parse(action: body.action, body: bytes) == .success(command))
    }

    @Test func anEmptyCommandPostsAnEmptyObject() throws {
        #expect(String(decoding: try Wire.encode(ControlCommand.pause.body), as: UTF8.self) == "{}")
    }
}
