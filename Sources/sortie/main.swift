import SortieCLI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(await SortieCommand.main(Array(CommandLine.arguments.dropFirst()), io: .standard))
