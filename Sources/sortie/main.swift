import SortieCLI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(SortieCommand.run(Array(CommandLine.arguments.dropFirst()), io: .standard))
