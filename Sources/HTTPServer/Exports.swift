// HTTPStatus, HTTPHeaders, HTTPMethod and HTTPVersion appear throughout this module's API, so
// clients (the daemon) get them by importing HTTPServer alone.
@_exported import HTTP1
