# Loads and invokes one handler as Lambda's Ruby runtime does, and prints what Lambda would report (one JSON line).
#
# Written after the public source of AWS's runtime interface client for Ruby, aws_lambda_ric
# (https://github.com/aws/aws-lambda-ruby-runtime-interface-client): the handler splits at "." into FILE.METHOD or
# FILE.CLASS.METHOD; FILE is required from the app root at init (any exception there is an init error); CLASS and
# METHOD are looked up at every invocation (Kernel.const_get, then send or __send__), so a missing method or class
# fails the invocation.
#
# Usage: ruby ruby_bootstrap.rb <app root[:more load paths]> <handler> '<event as JSON>'
require "json"

ARGV[0].split(File::PATH_SEPARATOR).reverse_each { |p| $LOAD_PATH.unshift(p) }

class Invoker
  def initialize(handler)
    parts = handler.split(".")
    raise ArgumentError, "Invalid handler #{parts}" unless [2, 3].include?(parts.size)
    @file = parts.first
    @klass = parts.size == 3 ? parts[1] : nil
    @method = parts.last
  end

  attr_reader :file

  def call(event:, context:)
    if @klass
      Kernel.const_get(@klass).send(@method, event: event, context: context)
    else
      __send__(@method, event: event, context: context)
    end
  end
end

Context = Struct.new(:function_name, :aws_request_id) do
  def get_remaining_time_in_millis = 60000
end

# The first line of the message, with inspected objects shortened: Ruby may print the receiver with its instance
# variables, which hold the handler string, and that string differs by design once protected.
def report(kind, error)
  message = error.message.lines.first.to_s.strip.gsub(/#<[^>]*>/, "#<object>")
  puts JSON.generate({ "kind" => kind, "errorClass" => error.class.name, "errorMessage" => message })
end

begin
  invoker = Invoker.new(ARGV[1])
  require invoker.file
rescue Exception => e
  report("initError", e)
  exit 0
end

begin
  result = invoker.call(event: JSON.parse(ARGV[2]), context: Context.new("demo", "req-1"))
  puts JSON.generate({ "kind" => "response", "result" => result })
rescue Exception => e
  report("error", e)
end
